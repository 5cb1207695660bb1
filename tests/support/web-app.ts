// A small real web app for forward tests (what TensorBoard or Jupyter look like to the proxy): a page with
// absolute paths and its own cookie, a redirect to its own address, streaming upload and download, and a
// WebSocket that echoes or ticks. Listens on 127.0.0.1, or serves an existing socket path for containers.
import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';

export interface WebApp {
  port: number;
  /** Cookie headers the app saw, newest last. */
  seenCookies: Array<string | undefined>;
  close(): Promise<void>;
}

export const PAGE_TITLE = 'Forwarded test app';

const PAGE = `<!doctype html><html><head><title>${PAGE_TITLE}</title><script src="/static/app.js" defer></script></head>
<body><h1>${PAGE_TITLE}</h1><p id="live">waiting</p></body></html>`;

// Absolute URLs on purpose: they only work when the app has an origin of its own.
const SCRIPT = `const ws = new WebSocket((location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + '/ws?tick=1');
ws.onmessage = (event) => { document.getElementById('live').textContent = event.data; };`;

function handle(app: WebApp, port: number) {
  return (req: http.IncomingMessage, res: http.ServerResponse): void => {
    app.seenCookies.push(req.headers.cookie);
    const url = new URL(req.url ?? '/', 'http://app');
    if (url.pathname === '/') {
      res.writeHead(200, { 'content-type': 'text/html', 'set-cookie': 'app_session=app-cookie-1; Path=/; HttpOnly' }).end(PAGE);
    } else if (url.pathname === '/static/app.js') {
      res.writeHead(200, { 'content-type': 'text/javascript' }).end(SCRIPT);
    } else if (url.pathname === '/whoami') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ host: req.headers.host, cookie: req.headers.cookie ?? null, origin: req.headers.origin ?? null }));
    } else if (url.pathname === '/login') {
      res.writeHead(302, { location: `http://127.0.0.1:${port}/landed` }).end();
    } else if (url.pathname === '/download') {
      streamZeros(res, Number(url.searchParams.get('bytes') ?? '0'));
    } else if (url.pathname === '/upload' && req.method === 'POST') {
      const sha = crypto.createHash('sha256');
      let bytes = 0;
      req.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
        sha.update(chunk);
      });
      req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ bytes, sha256: sha.digest('hex') })));
    } else {
      res.writeHead(404).end('not here');
    }
  };
}

/** `bytes` zeros, written as the reader takes them (no buffering of the whole body). */
function streamZeros(res: http.ServerResponse, bytes: number): void {
  const chunk = Buffer.alloc(64 * 1024);
  let left = bytes;
  res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(bytes) });
  const pump = (): void => {
    while (left > 0) {
      const piece = left >= chunk.length ? chunk : chunk.subarray(0, left);
      left -= piece.length;
      if (!res.write(piece)) return void res.once('drain', pump);
    }
    res.end();
  };
  pump();
}

export async function startWebApp(port = 0, host = '127.0.0.1'): Promise<WebApp> {
  const server = http.createServer();
  const wss = new WebSocketServer({ noServer: true });
  const app: WebApp = { port: 0, seenCookies: [], close: async () => {} };
  server.on('upgrade', (req, socket, head) => {
    wss.handleUpgrade(req, socket, head, (ws) => {
      const ticking = new URL(req.url ?? '/', 'http://app').searchParams.has('tick');
      let n = 0;
      const timer = ticking ? setInterval(() => ws.send(`tick ${++n}`), 200) : null;
      ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }));
      ws.on('close', () => timer && clearInterval(timer));
      // Stopping a forward cuts the tunnel under an open WebSocket: sshd may reset the app's end (ECONNRESET).
      // A real app logs that and goes on; without a listener 'error' would throw in the test process.
      ws.on('error', () => timer && clearInterval(timer));
    });
  });
  await new Promise<void>((resolve) => server.listen(port, host, resolve));
  app.port = (server.address() as AddressInfo).port;
  server.on('request', handle(app, app.port));
  app.close = async () => {
    for (const client of wss.clients) client.terminate();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return app;
}
