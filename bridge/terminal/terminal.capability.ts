// The interactive terminal capability: PTY shells over socket.io. The service lives in the context
// (ctx.terminals) so the VPN module can plug in container shells with setContainerShell.
import type { BridgeContext, Capability } from '../capability.js';
import { terminalSocket } from './terminal.socket.js';

export function terminalCapability(ctx: BridgeContext): Capability {
  return {
    name: 'terminals',
    socket: terminalSocket(ctx.terminals, ctx.audit),
    close: async () => ctx.terminals.closeAll('the bridge is shutting down'),
  };
}
