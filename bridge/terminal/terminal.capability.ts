// The interactive terminal capability: PTY shells over socket.io, on SSH sessions or (through the
// container port the service was built with) in users' VPN containers.
import type { AuditLog } from '../audit/audit-log.js';
import type { Capability } from '../transport/capability.js';
import type { PtyTerminalService } from './pty-terminals.service.js';
import { terminalSocket } from './terminal.socket.js';

export interface TerminalCapabilityDeps {
  terminals: PtyTerminalService;
  audit: AuditLog;
}

export function terminalCapability({ terminals, audit }: TerminalCapabilityDeps): Capability {
  return {
    name: 'terminals',
    socket: terminalSocket(terminals, audit),
    close: async () => terminals.closeAll('the bridge is shutting down'),
  };
}
