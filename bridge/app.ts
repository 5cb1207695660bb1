// createBridge: wires config, stores, services and transports into one HTTP + socket.io server. Listens
// nowhere: server.ts (the process), the tests and the Electron main process decide where and when.
import http from 'node:http';
import type express from 'express';
import { z } from 'zod';
import type { BridgeConfig } from './config/config.js';
import { createLogger, type Logger } from './core/logger.js';
import { loadOrCreateOwnerToken, OwnerTokenAuthenticator } from './auth/owner-token.js';
import type { BridgeContext, Capability } from './capability.js';
import { ConnsStore } from './store/conns-store.js';
import { HostKeyStore } from './ssh/host-keys.js';
import { SshSessionService } from './ssh/ssh-sessions.js';
import { sshRoutes } from './ssh/ssh.routes.js';
import { CommandService } from './terminal/command.service.js';
import { commandRoutes } from './terminal/command.routes.js';
import { FilesService } from './files/files.service.js';
import { filesRoutes } from './files/files.routes.js';
import { createHttpApp } from './transport/http-app.js';
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

export interface BridgeDeps {
  logger?: Logger;
}

export interface Bridge {
  config: BridgeConfig;
  ownerToken: string;
  http: http.Server;
  io: BridgeIo;
  app: express.Express;
  logger: Logger;
  /** The shared services (the Electron main process and tests call these directly). */
  context: BridgeContext;
  capabilities: readonly Capability[];
  /** Listen on config.host:config.port (port 0 picks a free one); resolves with the bound port. */
  listen(): Promise<number>;
  /** Close every SSH session, save state, stop listening. Safe to call twice. */
  close(): Promise<void>;
}

const HealthResponse = z.object({ status: z.literal('ok') }).meta({ id: 'Health' });

function coreCapability(ctx: BridgeContext): Capability {
  return {
    name: 'core',
    routes: [
      defineRoute({
        method: 'get',
        path: '/healthz',
        tag: 'health',
        summary: 'Liveness check',
        auth: 'none',
        response: HealthResponse,
        handler: () => ({ status: 'ok' as const }),
      }),
      ...sshRoutes(ctx.sessions, ctx.hostKeys),
      ...commandRoutes(ctx.commands),
      ...filesRoutes(ctx.files),
    ],
  };
}

export async function createBridge(config: BridgeConfig, deps: BridgeDeps = {}): Promise<Bridge> {
  const logger = deps.logger ?? createLogger({ level: config.logLevel });
  const ownerToken = await loadOrCreateOwnerToken(config.dataDir);
  const store = new ConnsStore(config.dataDir);
  const hostKeys = new HostKeyStore(config.dataDir);
  await Promise.all([store.load(), hostKeys.load()]);

  const sessions = new SshSessionService({
    store,
    hostKeys,
    logger,
    maxSessionsPerUser: config.ssh.maxSessionsPerUser,
    maxChannelsPerConnection: config.ssh.maxChannelsPerConnection,
    connectTimeoutMs: config.ssh.connectTimeoutMs,
    keepaliveIntervalMs: config.ssh.keepaliveIntervalMs,
  });
  sessions.restore();
  const context: BridgeContext = {
    config,
    logger,
    store,
    hostKeys,
    sessions,
    commands: new CommandService({ sessions, logger, outputLimitBytes: config.commandOutputLimitBytes, allowLocalExec: config.allowLocalExec }),
    files: new FilesService({ sessions, readMaxBytes: config.fsReadMaxBytes }),
    authenticators: [new OwnerTokenAuthenticator(ownerToken)],
    live: new LiveEmitter(),
    state: new UserStateService(),
    audit: new AuditLog(config.dataDir, logger),
    terminals: new PtyTerminalService({ sessions, logger, maxPerUser: config.terminals.maxPerUser }),
  };
  context.state.addSection('ssh', { snapshot: (userId) => ({ sessions: sessions.list(userId) }) });
  sessions.on('change', (userId) => context.state.notify(userId));

  // Order matters only where one capability builds on another's service.
  const capabilities: Capability[] = [
    coreCapability(context),
    auditCapability(context),
    pairingCapability(context),
    liveCapability(context),
    terminalCapability(context),
    gpuCapability(context),
    slurmCapability(context),
    vpnCapability(context),
  ];

  const app = createHttpApp({
    // Audited operations of every capability (SSH connects, commands run) are recorded with their caller.
    routes: auditedRoutes(capabilities.flatMap((c) => c.routes ?? []), context.audit),
    authenticators: context.authenticators,
    logger,
    corsOrigins: config.corsOrigins,
    version: BRIDGE_VERSION,
    // The web UI (renderer/dist) at /, after the API so it only sees paths no route answered.
    extraHandlers: [uiHandler()],
  });
  const server = http.createServer(app);
  // Idle keep-alive sockets must not hold shutdown for long.
  server.keepAliveTimeout = 5_000;
  const io = createSocketServer(server, {
    authenticators: context.authenticators,
    logger,
    corsOrigins: config.corsOrigins,
    modules: capabilities.flatMap((c) => (c.socket ? [c.socket] : [])),
  });
  context.live.bind(io);

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
      const port = await new Promise<number>((resolve, reject) => {
        server.once('error', reject);
        server.listen(config.port, config.host, () => {
          server.off('error', reject);
          const address = server.address();
          resolve(typeof address === 'object' && address ? address.port : config.port);
        });
      });
      for (const capability of capabilities) await capability.start?.();
      return port;
    },
    close: () =>
      (closing ??= (async () => {
        for (const capability of [...capabilities].reverse()) {
          await capability.close?.().catch((error: unknown) => logger.error({ err: error, capability: capability.name }, 'close failed'));
        }
        await sessions.closeAll();
        await hostKeys.flush();
        // io.close() disconnects every socket and closes the HTTP server.
        await new Promise<void>((resolve) => {
          void io.close(() => resolve());
          server.closeAllConnections();
        });
      })()),
  };
}
