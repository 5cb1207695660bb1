// DNS rebinding and cross-origin pages over real HTTP and socket.io: a forged Host is refused on the
// API, the UI, the docs and the socket.io handshake; a foreign Origin cannot open a socket; /docs
// cannot be framed.
import http from 'node:http';
import os from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBridge, type TestBridge } from '../support/bridge.js';
import { connectSocket } from '../support/live-client.js';

let t: TestBridge;
let port: number;

beforeAll(async () => {
  t = await startBridge({ VIGILINK_ALLOWED_HOSTS: 'vigilink.example', VIGILINK_CORS_ORIGINS: 'http://dev.example:5173' });
  port = Number(new URL(t.baseUrl).port);
}, 30_000);
afterAll(async () => {
  await t?.close();
});

/** A raw request to the bridge's loopback port with any Host and headers (fetch will not forge Host). */
function raw(path: string, headers: Record<string, string>): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path, headers: { authorization: `Bearer ${t.token}`, ...headers } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
  });
}

describe('the Host header', () => {
  it.each(['/api/devices', '/ssh/status?user_id=alice', '/', '/docs', '/openapi.json', '/healthz'])('refuses a rebound name on %s with 403 JSON', async (path) => {
    const answer = await raw(path, { host: `evil.example:${port}` });
    expect(answer.status).toBe(403);
    expect(answer.headers['content-type']).toMatch(/application\/json/);
    expect(JSON.parse(answer.body).detail).toMatch(/Host header does not name this bridge/);
  });

  it('answers loopback names, the machine’s hostname and names in VIGILINK_ALLOWED_HOSTS', async () => {
    for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, `vigilink.example:${port}`, `${os.hostname()}:${port}`]) {
      expect((await raw('/api/devices', { host })).status, host).toBe(200);
    }
  });

  it('refuses the socket.io handshake with a rebound Host', async () => {
    const answer = await raw('/socket.io/?EIO=4&transport=polling', { host: `evil.example:${port}` });
    expect(answer.status).toBe(403);
  });
});

describe('socket.io Origin', () => {
  it('refuses a handshake from a foreign page and accepts the same origin, a listed origin and no origin', async () => {
    const handshake = (origin?: string) => raw('/socket.io/?EIO=4&transport=polling', origin ? { host: `127.0.0.1:${port}`, origin } : { host: `127.0.0.1:${port}` });
    expect((await handshake('http://evil.example')).status).toBe(403);
    expect((await handshake(`http://127.0.0.1:${port + 1}`)).status).toBe(403);
    expect((await handshake(`http://127.0.0.1:${port}`)).status).toBe(200);
    expect((await handshake('http://dev.example:5173')).status).toBe(200);
    expect((await handshake()).status).toBe(200);
  });

  it('keeps a WebSocket with a foreign Origin out, even with a valid token', async () => {
    await expect(connectSocket(t.baseUrl, { token: t.token }, () => undefined, 5000, { origin: 'http://evil.example' })).rejects.toThrow();
    const same = await connectSocket(t.baseUrl, { token: t.token }, () => undefined, 5000, { origin: t.baseUrl });
    expect(same.connected).toBe(true);
    same.close();
  });
});

describe('/docs', () => {
  it('cannot be framed: CSP frame-ancestors none', async () => {
    for (const path of ['/docs', '/docs/init.js']) {
      const answer = await raw(path, { host: `127.0.0.1:${port}` });
      expect(answer.status).toBe(200);
      expect(answer.headers['content-security-policy']).toMatch(/frame-ancestors 'none'/);
      expect(answer.headers['x-frame-options']).toBe('DENY');
    }
  });
});
