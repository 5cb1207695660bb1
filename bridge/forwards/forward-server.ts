// One forward served on a bridge port of its own (its own origin, so apps with absolute paths and their
// own cookies work unmodified): the TLS/plain listener of the main port, a cookie check, and http-proxy-3
// streaming HTTP and WebSocket to the target over the agent's SSH or container streams.
import http from 'node:http';
import type net from 'node:net';
import type { Duplex } from 'node:stream';
import type { TLSSocket } from 'node:tls';
import { parse as parseCookies } from 'cookie';
import { ProxyServer } from 'http-proxy-3';
import type { Logger } from '../core/logger.js';
import type { HostCheck } from '../transport/host-check.js';
import type { TlsService } from '../tls/tls.service.js';
import { createDualListener, type DualListener } from '../tls/tls-listener.js';
import { COOKIE_PREFIX, type ForwardAccess } from './forward-access.js';
import { UpstreamAgent, type OpenUpstream } from './forward-upstream.js';

/** Where a one-time link lands; unlikely to clash with an app's own paths. */
export const OPEN_PATH = '/.vigilink/open';

export interface ForwardServerOptions {
  forwardId: string;
  userId: string;
  remoteHost: string;
  remotePort: number;
  open: OpenUpstream;
  access: ForwardAccess;
  hostCheck: HostCheck;
  tls: TlsService;
  insecureLanHttp: boolean;
  logger: Logger;
  /** Any request or upgrade passed through (last use). */
  onUse(): void;
}

type Verdict = { ok: true; sessionKey: string } | { ok: false; status: 401 | 403; detail: string };

const isTls = (socket: net.Socket): boolean => (socket as TLSSocket).encrypted === true;

export class ForwardServer {
  private readonly agent: UpstreamAgent;
  private readonly proxy = new ProxyServer();
  private readonly server: http.Server;
  private readonly listener: DualListener;
  private readonly upstreams = new Set<Duplex>();
  private readonly clients = new Set<net.Socket>();
  private readonly bySession = new Map<string, Set<net.Socket>>();
  private readonly target: string;
  private closedBytes = { in: 0, out: 0 };

  constructor(private readonly options: ForwardServerOptions) {
    const host = options.remoteHost.includes(':') && !options.remoteHost.startsWith('[') ? `[${options.remoteHost}]` : options.remoteHost;
    this.target = `http://${host}:${options.remotePort}`;
    this.agent = new UpstreamAgent(options.open, (stream) => {
      this.upstreams.add(stream);
      stream.once('close', () => this.upstreams.delete(stream));
    });
    this.server = http.createServer((req, res) => this.onRequest(req, res));
    this.server.on('upgrade', (req: http.IncomingMessage, socket: net.Socket, head: Buffer) => this.onUpgrade(req, socket, head));
    this.server.on('connection', (socket: net.Socket) => this.track(socket));
    this.server.keepAliveTimeout = 5_000;
    // The app's own origin check (Jupyter's) compares Origin with Host, which becomes the target's.
    this.proxy.on('proxyReq', (proxyReq, req) => this.rewriteOrigin(proxyReq, req));
    this.proxy.on('proxyReqWs', (proxyReq, req) => this.rewriteOrigin(proxyReq, req));
    // http-proxy-3 re-emits a WebSocket client's socket errors (a tab closed, Wi-Fi gone: ECONNRESET) on the
    // proxy, and throws them when nobody listens: that would end the bridge.
    this.proxy.on('error', (error, _req, res) => this.failed(error, res as http.ServerResponse | Duplex | undefined));
    this.listener = createDualListener({ app: this.server, tls: options.tls, insecureLanHttp: options.insecureLanHttp, logger: options.logger });
  }

  /** Resolves once listening on port; rejects with the listen error (EADDRINUSE: the caller tries the next). */
  listen(port: number, host: string): Promise<void> {
    const server = this.listener.server;
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  }

  /** Bytes both ways (open connections included) and upstream connections open now. */
  stats(): { bytesIn: number; bytesOut: number; connections: number } {
    let bytesIn = this.closedBytes.in;
    let bytesOut = this.closedBytes.out;
    for (const socket of this.clients) {
      bytesIn += socket.bytesRead;
      bytesOut += socket.bytesWritten;
    }
    return { bytesIn, bytesOut, connections: this.upstreams.size };
  }

  /** A device's session was revoked: its connections end now, WebSockets included. */
  cut(sessionKey: string): void {
    for (const socket of this.bySession.get(sessionKey) ?? []) socket.destroy();
    this.bySession.delete(sessionKey);
  }

  /** Stop listening and end every connection both sides. */
  async close(): Promise<void> {
    this.listener.closeAll();
    for (const socket of this.clients) socket.destroy();
    for (const stream of this.upstreams) stream.destroy();
    this.agent.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.listener.server.close(() => resolve()));
  }

  private track(socket: net.Socket): void {
    this.clients.add(socket);
    socket.once('close', () => {
      this.clients.delete(socket);
      this.closedBytes.in += socket.bytesRead;
      this.closedBytes.out += socket.bytesWritten;
    });
  }

  private bind(sessionKey: string, socket: net.Socket): void {
    let set = this.bySession.get(sessionKey);
    if (!set) this.bySession.set(sessionKey, (set = new Set()));
    // A kept-alive connection carries many requests: one entry, one listener.
    if (set.has(socket)) return;
    set.add(socket);
    socket.once('close', () => set.delete(socket));
  }

  private onRequest(req: http.IncomingMessage, res: http.ServerResponse): void {
    if (!this.options.hostCheck.allows(req.headers.host)) return sendJson(res, 403, 'This Host is not one of the bridge\'s names');
    const url = new URL(req.url ?? '/', 'http://forward');
    if (url.pathname === OPEN_PATH) return this.redeem(req, res, url.searchParams.get('token') ?? '');
    const verdict = this.authorize(req);
    if (!verdict.ok) return sendJson(res, verdict.status, verdict.detail);
    this.options.onUse();
    this.bind(verdict.sessionKey, req.socket);
    stripOurCookies(req);
    this.proxy.web(req, res, this.proxyOptions(req), (error) => this.failed(error, res));
  }

  /** The app or the browser's connection failed: a 502 while nothing was sent, else that connection ends; nothing else does. */
  private failed(error: Error, res: http.ServerResponse | Duplex | undefined): void {
    this.options.logger.debug({ forward_id: this.options.forwardId, reason: error.message }, 'forward connection failed');
    if (res instanceof http.ServerResponse && !res.headersSent) {
      sendJson(res, 502, `The app at ${this.options.remoteHost}:${this.options.remotePort} could not be reached: ${error.message}`);
    } else {
      res?.destroy();
    }
  }

  private onUpgrade(req: http.IncomingMessage, socket: net.Socket, head: Buffer): void {
    socket.on('error', () => socket.destroy());
    const verdict = this.options.hostCheck.allows(req.headers.host) ? this.authorize(req) : ({ ok: false, status: 403, detail: 'Host' } as const);
    if (!verdict.ok) {
      socket.end(`HTTP/1.1 ${verdict.status} ${http.STATUS_CODES[verdict.status]}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
      return;
    }
    this.options.onUse();
    this.bind(verdict.sessionKey, socket);
    stripOurCookies(req);
    this.proxy.ws(req, socket, head, this.proxyOptions(req), (error) => this.failed(error, socket));
  }

  private proxyOptions(req: http.IncomingMessage) {
    // Redirects to the target's own address come back to this origin, https when the phone used it.
    return { target: this.target, agent: this.agent, changeOrigin: true, autoRewrite: true, protocolRewrite: isTls(req.socket) ? 'https' : 'http', xfwd: false };
  }

  private rewriteOrigin(proxyReq: http.ClientRequest, req: http.IncomingMessage): void {
    const origin = req.headers.origin;
    const own = `${isTls(req.socket) ? 'https' : 'http'}://${req.headers.host ?? ''}`;
    if (origin && origin === own) proxyReq.setHeader('origin', this.target);
  }

  /** 401 without our cookie; 403 when the only valid one is another user's forward's. */
  private authorize(req: http.IncomingMessage): Verdict {
    const cookies = parseCookies(req.headers.cookie ?? '');
    const own = cookies[`${COOKIE_PREFIX}${this.options.forwardId}`];
    const session = own ? this.options.access.session(own) : null;
    if (session && session.forwardId === this.options.forwardId) return { ok: true, sessionKey: session.sessionKey };
    for (const [name, value] of Object.entries(cookies)) {
      if (!name.startsWith(COOKIE_PREFIX) || value === undefined) continue;
      const other = this.options.access.session(value);
      if (other && other.userId !== this.options.userId) return { ok: false, status: 403, detail: 'This forward belongs to another user' };
    }
    return { ok: false, status: 401, detail: 'Open this forward through its link in Vigilink (Open ports): this browser has no access to it' };
  }

  private redeem(req: http.IncomingMessage, res: http.ServerResponse, token: string): void {
    const redeemed = this.options.access.redeem(token, this.options.forwardId);
    if (!redeemed) return sendJson(res, 401, 'This link was used already, expired or belongs to another forward: make a new one in Vigilink');
    const secure = isTls(req.socket) ? '; Secure' : '';
    res.setHeader('Set-Cookie', `${COOKIE_PREFIX}${this.options.forwardId}=${redeemed.cookie}; Path=/; HttpOnly; SameSite=Strict${secure}`);
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('Referrer-Policy', 'no-referrer');
    res.writeHead(303, { Location: '/' }).end();
  }
}

/** The app never sees our cookies (another app on another port of this host could otherwise read them). */
function stripOurCookies(req: http.IncomingMessage): void {
  const header = req.headers.cookie;
  if (!header) return;
  const kept = header.split(';').map((part) => part.trim()).filter((part) => part && !part.startsWith(COOKIE_PREFIX));
  if (kept.length) req.headers.cookie = kept.join('; ');
  else delete req.headers.cookie;
}

function sendJson(res: http.ServerResponse, status: number, detail: string): void {
  const body = JSON.stringify({ detail });
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': String(Buffer.byteLength(body)), 'Cache-Control': 'no-store' }).end(body);
}
