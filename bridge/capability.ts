// What a capability (vpn/, pairing/, gpu/, ...) hands to createBridge: its HTTP routes, its socket.io
// adapter, and its lifecycle hooks. app.ts lists the capabilities in order; nothing else wires them.
import type { Authenticator } from './auth/principal.js';
import type { BridgeConfig } from './config/config.js';
import type { Logger } from './core/logger.js';
import type { ConnsStore } from './store/conns-store.js';
import type { HostKeyStore } from './ssh/host-keys.js';
import type { SshSessionService } from './ssh/ssh-sessions.js';
import type { CommandService } from './terminal/command.service.js';
import type { FilesService } from './files/files.service.js';
import type { AnyRoute } from './transport/route.js';
import type { UserStateService } from './live/user-state.service.js';
import type { LiveEmitter, SocketModule } from './transport/socket-server.js';
import type { AuditLog } from './audit/audit-log.js';
import type { PtyTerminalService } from './terminal/pty-terminals.service.js';
import type { AbortRegistry } from './core/abort-registry.js';
import type { OwnerSessions } from './auth/owner-sessions.js';
import type { TlsService } from './tls/tls.service.js';

/** The shared services every capability may build on. */
export interface BridgeContext {
  config: BridgeConfig;
  logger: Logger;
  store: ConnsStore;
  hostKeys: HostKeyStore;
  sessions: SshSessionService;
  commands: CommandService;
  files: FilesService;
  /** One-time sign-in links and the owner sessions they open (kept in memory only). */
  ownerSessions: OwnerSessions;
  /** Token checks, in order; the pairing capability adds device tokens. */
  authenticators: Authenticator[];
  /** Push events to a user's sockets (bound once socket.io is up). */
  live: LiveEmitter;
  /** The user's full picture; capabilities add sections and call notify(userId) on change. */
  state: UserStateService;
  /** audit.log: capabilities record security-relevant events (e.g. `vpn.connect`) with ctx.audit.record. */
  audit: AuditLog;
  /** Interactive PTY terminals; the VPN module plugs in container shells with setContainerShell. */
  terminals: PtyTerminalService;
  /** Requests in flight per device id: revoking a device aborts them. */
  deviceWork: AbortRegistry;
  /** The LAN listener's certificate (local CA leaf or the user's files) and its 'change' events. */
  tls: TlsService;
  /** This machine's LAN addresses, primary first. */
  lanAddresses: () => { interface: string; address: string }[];
}

export interface Capability {
  name: string;
  routes?: AnyRoute[];
  socket?: SocketModule;
  /** After the server listens (adopt containers, start pollers). */
  start?(): Promise<void>;
  /** At shutdown, before SSH sessions close and state is saved. */
  close?(): Promise<void>;
}
