// createBridge: wires config, stores, services and transports into one HTTP + socket.io server. Listens
// nowhere: server.ts (the process), the tests and the Electron main process decide where and when.
import http from 'node:http';
import net from 'node:net';
import type express from 'express';
import { healthEndpoints } from './contracts/health.endpoints.js';
import type { BridgeConfig } from './config/config.js';
import { createLogger, type Logger } from './core/logger.js';
import { loadOrCreateOwnerToken, OwnerTokenAuthenticator } from './auth/owner-token.js';
import { OwnerSessions } from './auth/owner-sessions.js';
import { authRoutes } from './auth/auth.routes.js';
import type { BridgeContext, Capability } from './capability.js';
import { ConnsStore } from './store/conns-store.js';
import { HostKeyStore } from './ssh/host-keys.js';
import { PrivateKeyParser } from './ssh/private-key-parser.js';
import { SshSessionService } from './ssh/ssh-sessions.js';
import { sshRoutes } from './ssh/ssh.routes.js';
import { SshTargetPolicy, systemNetwork } from './ssh/ssh-target-policy.js';
import { CommandService } from './terminal/command.service.js';
import { commandRoutes } from './terminal/command.routes.js';
import { FilesService } from './files/files.service.js';
import { filesRoutes } from './files/files.routes.js';
import { createHttpApp } from './transport/http-app.js';
import { HostCheck } from './transport/host-check.js';
import { AbortRegistry } from './core/abort-registry.js';
import { answerClientErrors } from './transport/client-errors.js';
import { createSocketServer, LiveEmitter, type BridgeIo } from './transport/socket-server.js';
import { defineRoute } from './transport/route.js';
import { BRIDGE_VERSION } from './version.js';
import { UserStateService } from './live/user-state.service.js';
import { uiHandler } from './ui/ui-static.js';
import { AuditLog } from './audit/audit-log.js';
import { auditedRoutes } from './audit/audited-routes.js';
import { auditCapability } from './audit/audit.capability.js';
import { pairingCapability } from './pairing/pairing.capability.js';
import { liveCapability } from './live/live.capability.js';
import { PtyTerminalService } from './terminal/pty-terminals.service.js';
import { terminalCapability } from './terminal/terminal.capability.js';
import { gpuCapability } from './gpu/gpu.capability.js';
import { slurmCapability } from './slurm/slurm.capability.js';
import { vpnCapability } from './vpn/vpn.capability.js';
import { TlsService } from './tls/tls.service.js';
import { createDualListener } from './tls/tls-listener.js';
import { tlsCapability } from './tls/tls.capability.js';
import { trustHandler } from './tls/trust.handler.js';
import { lanAddresses, type InterfaceAddress } from './pairing/lan-addresses.js';
import { fileChangesCapability } from './files/files.capability.js';
import { forwardsCapability } from './forwards/forwards.capability.js';

export interface BridgeDeps {
  logger?: Logger;
  /** This machine's LAN addresses, primary first (a seam for tests: pairing URLs and the TLS leaf follow it). */
  lanAddresses?: () => InterfaceAddress[];
}

export interface Bridge {
  config: BridgeConfig;
  ownerToken: string;
  /** The app's HTTP server; connections reach it through the TLS/plain listener (bridge/tls). */
  http: http.Server;
  io: BridgeIo;
  app: express.Express;
  logger: Logger;
  /** The shared services (the Electron main process and tests call these directly). */
  context: BridgeContext;
  capabilities: readonly Capability[];
  /** Listen on config.host:config.port (port 0 picks a free one); resolves with the bound port. */
  listen(): Promise<number>;
  /**
   * A second door on 127.0.0.1 (a free port) to the same app and socket.io, for the desktop window when
   * the bridge itself listens on a LAN address or a name; resolves with its port. Closed by close().
   */
  listenLoopback(): Promise<number>;
  /** Close every SSH session, save state, stop listening. Safe to call twice. */
  close(): Promise<void>;
}

function coreCapability(ctx: BridgeContext): Capability {
  return {
    name: 'core',
    routes: [
      defineRoute(healthEndpoints.check, {
        tag: 'health',
        summary: 'Liveness check',
        auth: 'none',
        handler: () => ({ status: 'ok' as const }),
      }),
      ...sshRoutes(ctx.sessions, ctx.hostKeys),
      ...commandRoutes(ctx.commands),
      ...filesRoutes(ctx.files, ctx.config.downloadStallMs),
      ...authRoutes(ctx.ownerSessions),
    ],
  };
}

export async function createBridge(config: BridgeConfig, deps: BridgeDeps = {}): Promise<Bridge> {
  const logger = deps.logger ?? createLogger({ level: config.logLevel });
  const ownerToken = await loadOrCreateOwnerToken(config.dataDir);
  const addresses = deps.lanAddresses ?? (() => lanAddresses());
  // Before anything else: a damaged CA or an unusable user certificate stops the start here.
  const tls = await TlsService.start({
    dataDir: config.dataDir,
    names: config.tlsNames,
    userCertificate: config.tls.userCertificate,
    logger,
    addresses: () => addresses().map((a) => a.address),
    checkIntervalMs: config.tls.checkIntervalMs,
  });
  const store = new ConnsStore(config.dataDir);
  const hostKeys = new HostKeyStore(config.dataDir);
  await Promise.all([store.load(), hostKeys.load()]);

  const keyParser = new PrivateKeyParser({ maxKdfRounds: config.ssh.maxKeyKdfRounds, timeoutMs: config.ssh.keyParseTimeoutMs });
  const sessions = new SshSessionService({
    store,
    hostKeys,
    logger,
    maxSessionsPerUser: config.ssh.maxSessionsPerUser,
    maxChannelsPerConnection: config.ssh.maxChannelsPerConnection,
    channelsReservedForCommands: config.ssh.channelsReservedForCommands,
    channelWaitMs: config.ssh.channelWaitMs,
    connectTimeoutMs: config.ssh.connectTimeoutMs,
    keepaliveIntervalMs: config.ssh.keepaliveIntervalMs,
    keyParser,
    targetPolicy: new SshTargetPolicy({ allowDeviceLocalTargets: config.allowDeviceLocalTargets, network: systemNetwork }),
  });
  sessions.restore();
  const live = new LiveEmitter();
  // Signing out, or an idle session ending, also closes the sockets opened with that session.
  const ownerSessions = new OwnerSessions({
    ...config.ownerSignIn,
    onEnd: (session) => live.disconnectWhere((data) => data.principal.kind === 'owner' && data.principal.session === session),
  });
  const state = new UserStateService();
  const context: BridgeContext = {
    config,
    logger,
    store,
    hostKeys,
    sessions,
    commands: new CommandService({ sessions, logger, outputLimitBytes: config.commandOutputLimitBytes, allowLocalExec: config.allowLocalExec }),
    files: new FilesService({ sessions, readMaxBytes: config.fsReadMaxBytes }),
    authenticators: [new OwnerTokenAuthenticator(ownerToken), ownerSessions],
    ownerSessions,
    live,
    state,
    audit: new AuditLog(config.dataDir, logger),
    terminals: new PtyTerminalService({ sessions, logger, maxPerUser: config.terminals.maxPerUser, onChange: (userId) => state.notify(userId) }),
    deviceWork: new AbortRegistry(),
    tls,
    lanAddresses: addresses,
  };
  context.state.addSection('ssh', { snapshot: (userId) => ({ sessions: sessions.list(userId) }), users: () => sessions.users() });
  sessions.on('change', (userId) => context.state.notify(userId));

  const hostCheck = new HostCheck({ publicUrl: config.pairing.publicUrl, tlsNames: config.tlsNames, allowedHosts: config.allowedHosts });
  const vpn = vpnCapability(context);
  // Order matters only where one capability builds on another's service.
  const capabilities: Capability[] = [
    coreCapability(context),
    auditCapability(context),
    pairingCapability(context),
    tlsCapability(context),
    liveCapability(context),
    terminalCapability(context),
    gpuCapability(context),
    slurmCapability(context),
    vpn,
    fileChangesCapability(context),
    forwardsCapability(context, { containerStream: vpn.containerStream, hostCheck }),
  ];

  const app = createHttpApp({
    // Audited operations of every capability (SSH connects, commands run) are recorded with their caller.
    routes: auditedRoutes(capabilities.flatMap((c) => c.routes ?? []), context.audit),
    authenticators: context.authenticators,
    logger,
    corsOrigins: config.corsOrigins,
    hostCheck,
    deviceWork: context.deviceWork,
    version: BRIDGE_VERSION,
    // The web UI (renderer/dist) at /, after the API so it only sees paths no route answered.
    // /trust (the CA for phones) and the pairing page only over TLS or loopback come first.
    extraHandlers: [trustHandler(tls), uiHandler()],
  });
  const server = http.createServer(app);
  // Idle keep-alive sockets must not hold shutdown for long.
  server.keepAliveTimeout = 5_000;
  answerClientErrors(server, logger);
  const io = createSocketServer(server, {
    authenticators: context.authenticators,
    logger,
    corsOrigins: config.corsOrigins,
    hostCheck,
    modules: capabilities.flatMap((c) => (c.socket ? [c.socket] : [])),
  });
  context.live.bind(io);
  const listener = createDualListener({ app: server, tls, insecureLanHttp: config.tls.insecureLanHttp, logger });

  const loopback = forwardingServer(server);
  let closing: Promise<void> | null = null;
  return {
    config,
    ownerToken,
    http: server,
    io,
    app,
    logger,
    context,
    capabilities,
    listen: async () => {
      const port = await listenOn(listener.server, config.port, config.host);
      for (const capability of capabilities) await capability.start?.();
      return port;
    },
    listenLoopback: () => listenOn(loopback, 0, '127.0.0.1'),
    close: () =>
      (closing ??= (async () => {
        for (const capability of [...capabilities].reverse()) {
          await capability.close?.().catch((error: unknown) => logger.error({ err: error, capability: capability.name }, 'close failed'));
        }
        await keyParser.close();
        await sessions.closeAll();
        await hostKeys.flush();
        tls.close();
        // io.close() disconnects every socket and closes the HTTP server; the listener stops accepting.
        await new Promise<void>((resolve) => {
          void io.close(() => resolve());
          server.closeAllConnections();
          listener.closeAll();
        });
        if (listener.server.listening) await new Promise<void>((resolve) => listener.server.close(() => resolve()));
        if (loopback.listening) {
          loopback.closeAllConnections();
          await new Promise<void>((resolve) => loopback.close(() => resolve()));
        }
      })()),
  };
}

function listenOn(server: net.Server, port: number, host: string): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : port);
    });
  });
}

/** An HTTP server that hands every request and upgrade to `target`'s listeners (express and socket.io alike). */
function forwardingServer(target: http.Server): http.Server {
  const forwarder = http.createServer((req, res) => target.emit('request', req, res));
  forwarder.on('upgrade', (req, socket, head) => target.emit('upgrade', req, socket, head));
  forwarder.keepAliveTimeout = target.keepAliveTimeout;
  return forwarder;
}
