// One port for TLS and plain HTTP: the first byte of a connection tells them apart (0x16 opens a TLS
// handshake). TLS and plain HTTP from this machine reach the app; plain HTTP from the LAN reaches only /trust.
import http from 'node:http';
import net from 'node:net';
import tls from 'node:tls';
import { isApiPath } from '../contracts/endpoints.js';
import type { Logger } from '../core/logger.js';
import { isThisMachine } from './lan-scope.js';
import { httpsUrlFor, serveTrust } from './trust-page.js';
import { SERVER_TLS_OPTIONS, type TlsService } from './tls.service.js';

const TLS_HANDSHAKE_RECORD = 0x16;
/** A connection that sends nothing is dropped after this; http's own timeouts start once it is routed. */
const FIRST_BYTE_TIMEOUT_MS = 30_000;

export interface DualListenerOptions {
  /** The bridge's HTTP server (express + socket.io); it never listens itself. */
  app: http.Server;
  tls: TlsService;
  /** VIGILINK_INSECURE_LAN_HTTP: plain HTTP from the LAN reaches the app too. */
  insecureLanHttp: boolean;
  logger: Logger;
}

/** Plain HTTP from the LAN: /trust and its downloads; pages redirect to HTTPS; the API is refused. */
export function lanPlainHandler(service: TlsService) {
  return (req: http.IncomingMessage, res: http.ServerResponse): void => {
    if (serveTrust(service, req, res)) return;
    const url = req.url ?? '/';
    // Data is refused on plain HTTP from the LAN, never redirected (a redirect would have sent it already).
    const isApi = isApiPath(url);
    const target = httpsUrlFor(req.headers.host, url);
    res.setHeader('Cache-Control', 'no-store');
    if (!isApi && target && (req.method === 'GET' || req.method === 'HEAD')) {
      res.writeHead(308, { Location: target }).end();
      return;
    }
    const body = JSON.stringify({
      detail: 'This bridge answers the LAN only over HTTPS (plain HTTP is for loopback). Open /trust on this address to trust it once.',
    });
    res.writeHead(403, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': String(Buffer.byteLength(body)) }).end(body);
  };
}

export interface DualListener {
  server: net.Server;
  /** Drop every connection still open: being sniffed, in its handshake, on the /trust server or the app. */
  closeAll(): void;
}

export function createDualListener(options: DualListenerOptions): DualListener {
  const { app, tls: service, logger } = options;
  if (options.insecureLanHttp) {
    logger.warn('VIGILINK_INSECURE_LAN_HTTP=1: plain HTTP from the LAN reaches the API; anyone on this network can read tokens and data');
  }
  const lanPlain = http.createServer(lanPlainHandler(service));
  lanPlain.headersTimeout = 10_000;
  lanPlain.requestTimeout = 15_000;
  const material = service.material();
  const tlsServer = tls.createServer({
    ...SERVER_TLS_OPTIONS,
    cert: material.cert,
    key: material.key,
    ALPNProtocols: ['http/1.1'],
    // Clients that send SNI get the newest context without waiting for setSecureContext.
    SNICallback: (_name, done) => done(null, service.secureContext()),
  });
  // Clients that connect to an address send no SNI: they get the server's default context, kept current here.
  const onChange = (next: { cert: string; key: string }): void => tlsServer.setSecureContext({ ...SERVER_TLS_OPTIONS, cert: next.cert, key: next.key });
  service.on('change', onChange);
  tlsServer.on('secureConnection', (socket: tls.TLSSocket) => app.emit('connection', socket));
  tlsServer.on('tlsClientError', (error) => logger.debug({ reason: error.message }, 'TLS handshake failed'));

  // Every accepted socket until it closes: at shutdown the ones no HTTP server tracks (being sniffed, in a
  // TLS handshake) are cut too, so closing never waits for a slow client.
  const open = new Set<net.Socket>();
  const route = (socket: net.Socket): void => {
    const first = socket.read() as Buffer | null;
    if (first === null) {
      socket.once('readable', () => route(socket));
      return;
    }
    socket.setTimeout(0);
    // Small answers (a command's JSON) go out at once, over TLS too, never held back by Nagle's algorithm.
    socket.setNoDelay(true);
    socket.unshift(first);
    if (first[0] === TLS_HANDSHAKE_RECORD) tlsServer.emit('connection', socket);
    else if (options.insecureLanHttp || isThisMachine(socket.remoteAddress, socket.localAddress)) app.emit('connection', socket);
    else lanPlain.emit('connection', socket);
  };
  const server = net.createServer((socket) => {
    open.add(socket);
    // Until a server owns it, errors (a reset mid-sniff) end here rather than crash the process.
    socket.on('error', () => socket.destroy());
    socket.setTimeout(FIRST_BYTE_TIMEOUT_MS, () => socket.destroy());
    socket.once('close', () => open.delete(socket));
    route(socket);
  });
  // The inner HTTP servers never listen; 'listening' starts their request-timeout checks and connection
  // tracking (closeAllConnections), as it would for a server that listened itself.
  server.on('listening', () => {
    app.emit('listening');
    lanPlain.emit('listening');
  });
  return {
    server,
    closeAll: () => {
      // Listeners come and go (one per port forward): a closed one stops following certificate changes.
      service.off('change', onChange);
      for (const socket of open) socket.destroy();
      lanPlain.closeAllConnections();
      lanPlain.close();
    },
  };
}
