// createBridge: wires config, stores, services and transports into one HTTP + socket.io server. Listens
// nowhere: server.ts (the process), the tests and the Electron main process decide where and when.
import http from 'node:http';
import net from 'node:net';
import type express from 'express';
import { auditedRoutes } from './audit/audited-routes.js';
import { loadOrCreateOwnerToken, OwnerTokenAuthenticator } from './auth/owner-token.js';
import { createCapabilities } from './capabilities.js';
import type { BridgeConfig } from './config/config.js';
import type { ContainerPort } from './core/container-port.js';
import { createLogger, type Logger } from './core/logger.js';
import type { Authenticator } from './core/principal.js';
import { DeviceAuthenticator } from './pairing/device-authenticator.js';
import { DeviceRegistry } from './pairing/device-registry.js';
import { createSharedServices, type BridgeContext } from './shared-services.js';
import { ConnsStore } from './store/conns-store.js';
import { HostKeyStore } from './ssh/host-keys.js';
import { lanAddresses, type InterfaceAddress } from './tls/lan-addresses.js';
import { createDualListener, type DualListener } from './tls/tls-listener.js';
import { TlsService } from './tls/tls.service.js';
import { trustHandler } from './tls/trust.handler.js';
import type { Capability } from './transport/capability.js';
import { answerClientErrors } from './transport/client-errors.js';
import { HostCheck } from './transport/host-check.js';
import { createHttpApp } from './transport/http-app.js';
import { createSocketServer, type BridgeIo } from './transport/socket-server.js';
import { uiHandler } from './ui/ui-static.js';
import { createContainerSide } from './vpn/container-side.js';
import type { VpnService } from './vpn/vpn.service.js';
import { BRIDGE_VERSION } from './version.js';

export interface BridgeDeps {
  logger?: Logger;
  /** This machine's LAN addresses, primary first (a seam for tests: pairing URLs and the TLS leaf follow it). */
  lanAddresses?: () => InterfaceAddress[];
  /** Wraps the VPN containers' port before the services get it (a seam for tests: a planted tunnel). */
  containerPort?: (port: ContainerPort) => ContainerPort;
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
  /** The VPN containers' service (the desktop tray counts containers with it). */
  vpn: VpnService;
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

  // The container side comes first: the shared services take its port in their constructors. Its one need
  // of them, closing a user's SSH sessions when their container goes, is met once `context` exists (a
  // container can only go after start(), which adopts them).
  const containers = createContainerSide({ config, logger, store, closeSessions: (userId, reason) => context.sessions.disconnectAll(userId, reason) });
  const port = deps.containerPort ? deps.containerPort(containers.port) : containers.port;
  const context = createSharedServices({ config, logger, store, hostKeys, tls, lanAddresses: addresses, containers: port });
  const devices = new DeviceRegistry(config.dataDir);
  devices.loadSync();
  // Token checks, in order: owner.token, the owner's sign-in sessions, paired devices' tokens.
  const authenticators: Authenticator[] = [new OwnerTokenAuthenticator(ownerToken), context.ownerSessions, new DeviceAuthenticator(devices)];
  const hostCheck = new HostCheck({ publicUrl: config.pairing.publicUrl, tlsNames: config.tlsNames, allowedHosts: config.allowedHosts });
  const capabilities = createCapabilities(context, { containers, devices, hostCheck });

  const { app, server, io } = createServers(context, { capabilities, authenticators, hostCheck });
  const listener = createDualListener({ app: server, tls, insecureLanHttp: config.tls.insecureLanHttp, logger });
  const loopback = forwardingServer(server);
  const close = once(() => closeBridge({ context, capabilities, io, server, listener, loopback }));
  return {
    config,
    ownerToken,
    http: server,
    io,
    app,
    logger,
    context,
    vpn: containers.service,
    capabilities,
    listen: async () => {
      const bound = await listenOn(listener.server, config.port, config.host);
      for (const capability of capabilities) await capability.start?.();
      return bound;
    },
    listenLoopback: () => listenOn(loopback, 0, '127.0.0.1'),
    close,
  };
}

interface ServerParts {
  capabilities: Capability[];
  authenticators: Authenticator[];
  hostCheck: HostCheck;
}

/** The express app, its HTTP server and socket.io on it, with every capability's routes and socket adapters. */
function createServers(context: BridgeContext, { capabilities, authenticators, hostCheck }: ServerParts): { app: express.Express; server: http.Server; io: BridgeIo } {
  const { config, logger } = context;
  const app = createHttpApp({
    // Audited operations of every capability (SSH connects, commands run) are recorded with their caller.
    routes: auditedRoutes(capabilities.flatMap((c) => c.routes ?? []), context.audit),
    authenticators,
    logger,
    corsOrigins: config.corsOrigins,
    hostCheck,
    deviceWork: context.deviceWork,
    version: BRIDGE_VERSION,
    // The web UI (renderer/dist) at /, after the API so it only sees paths no route answered.
    // /trust (the CA for phones) and the pairing page only over TLS or loopback come first.
    extraHandlers: [trustHandler(context.tls), uiHandler()],
  });
  const server = http.createServer(app);
  // Idle keep-alive sockets must not hold shutdown for long.
  server.keepAliveTimeout = 5_000;
  answerClientErrors(server, logger);
  const io = createSocketServer(server, {
    authenticators,
    logger,
    corsOrigins: config.corsOrigins,
    hostCheck,
    modules: capabilities.flatMap((c) => (c.socket ? [c.socket] : [])),
  });
  context.live.bind(io);
  return { app, server, io };
}

interface ClosingParts {
  context: BridgeContext;
  capabilities: readonly Capability[];
  io: BridgeIo;
  server: http.Server;
  listener: DualListener;
  loopback: http.Server;
}

/** Close every capability (last first), every SSH session, save state, stop listening. */
async function closeBridge({ context, capabilities, io, server, listener, loopback }: ClosingParts): Promise<void> {
  for (const capability of [...capabilities].reverse()) {
    await capability.close?.().catch((error: unknown) => context.logger.error({ err: error, capability: capability.name }, 'close failed'));
  }
  await context.keyParser.close();
  await context.sessions.closeAll();
  await context.hostKeys.flush();
  context.tls.close();
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
}

/** The first call runs `run`; every later one gets the same promise (close is safe to call twice). */
function once(run: () => Promise<void>): () => Promise<void> {
  let running: Promise<void> | null = null;
  return () => (running ??= run());
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
