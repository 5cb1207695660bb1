// The shared services of one bridge (SSH sessions, commands, files, terminals, audit, live state, sign-in),
// built on the stores and the container port that createBridge made first. Part of the composition root.
import { AuditLog } from './audit/audit-log.js';
import { OwnerSessions } from './auth/owner-sessions.js';
import type { BridgeConfig } from './config/config.js';
import { AbortRegistry } from './core/abort-registry.js';
import type { ContainerPort } from './core/container-port.js';
import type { Logger } from './core/logger.js';
import { FilesService } from './files/files.service.js';
import { UserStateService } from './live/user-state.service.js';
import type { HostKeyStore } from './ssh/host-keys.js';
import { PrivateKeyParser } from './ssh/private-key-parser.js';
import { SshSessionService } from './ssh/ssh-sessions.js';
import { SshTargetPolicy, systemNetwork } from './ssh/ssh-target-policy.js';
import type { ConnsStore } from './store/conns-store.js';
import { CommandService } from './terminal/command.service.js';
import { PtyTerminalService } from './terminal/pty-terminals.service.js';
import type { InterfaceAddress } from './tls/lan-addresses.js';
import type { TlsService } from './tls/tls.service.js';
import { LiveEmitter } from './transport/socket-server.js';

/** The shared services the capabilities build on (the Electron main process and tests call them directly too). */
export interface BridgeContext {
  config: BridgeConfig;
  logger: Logger;
  store: ConnsStore;
  hostKeys: HostKeyStore;
  /** Decrypts users' private keys off the event loop; closed with the bridge. */
  keyParser: PrivateKeyParser;
  sessions: SshSessionService;
  commands: CommandService;
  files: FilesService;
  /** One-time sign-in links and the owner sessions they open (kept in memory only). */
  ownerSessions: OwnerSessions;
  /** Push events to a user's sockets (bound once socket.io is up). */
  live: LiveEmitter;
  /** The user's full picture; capabilities add sections and call notify(userId) on change. */
  state: UserStateService;
  /** audit.log: capabilities record security-relevant events (e.g. `vpn.connect`) with audit.record. */
  audit: AuditLog;
  /** Interactive PTY terminals, on SSH sessions or in users' containers. */
  terminals: PtyTerminalService;
  /** Requests in flight per device id: revoking a device aborts them. */
  deviceWork: AbortRegistry;
  /** The LAN listener's certificate (local CA leaf or the user's files) and its 'change' events. */
  tls: TlsService;
  /** This machine's LAN addresses, primary first. */
  lanAddresses: () => InterfaceAddress[];
  /** Users' VPN containers (null: the bridge runs none). */
  containers: ContainerPort | null;
}

export type SharedServicesOptions = Pick<BridgeContext, 'config' | 'logger' | 'store' | 'hostKeys' | 'tls' | 'lanAddresses' | 'containers'>;

export function createSharedServices(options: SharedServicesOptions): BridgeContext {
  const { config, logger, containers } = options;
  const keyParser = new PrivateKeyParser({ maxKdfRounds: config.ssh.maxKeyKdfRounds, timeoutMs: config.ssh.keyParseTimeoutMs });
  const sessions = new SshSessionService({
    store: options.store,
    hostKeys: options.hostKeys,
    logger,
    maxSessionsPerUser: config.ssh.maxSessionsPerUser,
    maxChannelsPerConnection: config.ssh.maxChannelsPerConnection,
    channelsReservedForCommands: config.ssh.channelsReservedForCommands,
    channelWaitMs: config.ssh.channelWaitMs,
    connectTimeoutMs: config.ssh.connectTimeoutMs,
    keepaliveIntervalMs: config.ssh.keepaliveIntervalMs,
    keyParser,
    targetPolicy: new SshTargetPolicy({ allowDeviceLocalTargets: config.allowDeviceLocalTargets, network: systemNetwork }),
    containers,
  });
  sessions.restore();
  const live = new LiveEmitter();
  const state = new UserStateService();
  state.addSection('ssh', { snapshot: (userId) => ({ sessions: sessions.list(userId) }), users: () => sessions.users() });
  sessions.on('change', (userId) => state.notify(userId));
  return {
    ...options,
    keyParser,
    sessions,
    commands: new CommandService({ sessions, logger, outputLimitBytes: config.commandOutputLimitBytes, allowLocalExec: config.allowLocalExec, containers }),
    files: new FilesService({ sessions, readMaxBytes: config.fsReadMaxBytes, containers }),
    // Signing out, or an idle session ending, also closes the sockets opened with that session.
    ownerSessions: new OwnerSessions({
      ...config.ownerSignIn,
      onEnd: (session) => live.disconnectWhere((data) => data.principal.kind === 'owner' && data.principal.session === session),
    }),
    live,
    state,
    audit: new AuditLog(config.dataDir, logger),
    terminals: new PtyTerminalService({ sessions, logger, maxPerUser: config.terminals.maxPerUser, containers, onChange: (userId) => state.notify(userId) }),
    deviceWork: new AbortRegistry(),
  };
}
