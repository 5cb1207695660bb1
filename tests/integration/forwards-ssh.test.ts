// Port forwards through a real SSH session (the loopback sshd) to a real web app on this machine's
// 127.0.0.1: HTTP and WebSocket through the forward's own port, cookie access, other users, revocation,
// closing, session loss, idle close, the per-user limit and the audit log.
import crypto from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Forward } from '../../bridge/contracts/forwards.js';
import { startBridge, type TestBridge } from '../support/bridge.js';
import { closed, echo, enterForward, fetchIn, openWebSocket } from '../support/forward-client.js';
import { pairDevice, type PairedDevice } from '../support/live-client.js';
import { httpsGet, loopbackLookup } from '../support/tls-client.js';
import { freePort, startSshd, type Sshd } from '../support/sshd.js';
import { PAGE_TITLE, startWebApp, type WebApp } from '../support/web-app.js';
import { connectBody } from '../support/ssh-test-kit.js';
import { eventually } from '../support/eventually.js';

const account = inject('testAccount');
const MIB = 1024 * 1024;
let sshd: Sshd;
let app: WebApp;
let t: TestBridge;
let alice: PairedDevice;
let aliceTablet: PairedDevice;
let bob: PairedDevice;

beforeAll(async () => {
  sshd = await startSshd();
  app = await startWebApp();
  t = await startBridge({ VIGILINK_DEVICE_LOCAL_TARGETS: '1', FORWARD_PORTS: '18100-18199' });
  alice = await pairDevice(t, 'alice', 'alice phone');
  aliceTablet = await pairDevice(t, 'alice', 'alice tablet');
  bob = await pairDevice(t, 'bob', 'bob phone');
  for (const device of [alice, bob]) {
    expect((await t.api('POST', '/ssh/connect?session_id=default', connectBody(sshd, account, { user_id: device.userId }), { token: device.token })).status).toBe(200);
  }
}, 90_000);
afterAll(async () => {
  await t?.close();
  await app?.close();
  await sshd?.stop();
});

async function openForward(device: PairedDevice, body: Record<string, unknown> = {}): Promise<Forward & { url: string }> {
  const opened = await t.api<Forward & { url: string }>('POST', '/api/forwards', { remote_port: app.port, ...body }, { token: device.token });
  expect(opened.status, JSON.stringify(opened.body)).toBe(200);
  return opened.body;
}

/** Bytes of a stream of `total` pseudo-random bytes, made as they are read (the body never sits in memory). */
function randomBody(total: number, sha: crypto.Hash): Readable {
  let sent = 0;
  const block = crypto.randomBytes(MIB);
  return new Readable({
    read() {
      if (sent >= total) return void this.push(null);
      const piece = block.subarray(0, Math.min(block.length, total - sent));
      sent += piece.length;
      sha.update(piece);
      this.push(piece);
    },
  });
}

describe('port forwards through an SSH session', () => {
  it('refuses bad input and a refused port, and serves nothing without the cookie', async () => {
    for (const remote_port of [0, 65536, 'x']) {
      const bad = await t.api('POST', '/api/forwards', { remote_port }, { token: alice.token });
      expect(bad.status).toBe(400);
      expect(bad.body.detail).toMatch(/remote_port/);
    }
    expect((await t.api('POST', '/api/forwards', { remote_port: 80, remote_host: 'a b' }, { token: alice.token })).status).toBe(400);
    const nowhere = await t.api('POST', '/api/forwards', { user_id: 'no-session', remote_port: 80 });
    expect(nowhere.status).toBe(404);
    expect(nowhere.body.detail).toMatch(/no active SSH session or VPN container/);
    const refused = await t.api('POST', '/api/forwards', { remote_port: await freePort() }, { token: alice.token });
    expect(refused.status).toBe(502);
    expect(refused.body.detail).toMatch(/refused/i);

    const forward = await openForward(alice, { name: 'test app' });
    expect(forward).toMatchObject({ via: 'ssh', session_id: 'default', remote_host: '127.0.0.1', remote_port: app.port, name: 'test app' });
    expect(forward.port).toBeGreaterThanOrEqual(18100);
    const anonymous = await fetchIn({ origin: new URL(forward.url).origin }, '/');
    expect(anonymous.status).toBe(401);
    expect(((await anonymous.json()) as { detail: string }).detail).toMatch(/link/);
    await expect(openWebSocket({ origin: new URL(forward.url).origin })).rejects.toThrow(/401/);
    // fetch will not send another Host: a raw request, as a page on a rebound name would make.
    const rebound = await new Promise<number>((resolve, reject) =>
      http.get({ host: '127.0.0.1', port: forward.port, path: '/', headers: { host: 'evil.example' } }, (res) => resolve(res.statusCode ?? 0)).once('error', reject),
    );
    expect(rebound).toBe(403);
  });

  it('serves an app with absolute paths and its own cookie; a link works once', async () => {
    const forward = await openForward(alice);
    const link = await t.api<{ url: string }>('POST', `/api/forwards/${forward.forward_id}/link`, undefined, { token: alice.token });
    const first = await fetch(link.body.url, { redirect: 'manual' });
    expect(first.status).toBe(303);
    const setCookie = first.headers.get('set-cookie')!;
    expect(setCookie).toMatch(/HttpOnly/);
    expect(setCookie).toMatch(/SameSite=Strict/);
    expect((await fetch(link.body.url, { redirect: 'manual' })).status).toBe(401);
    const browser = { origin: new URL(link.body.url).origin, cookie: setCookie.split(';')[0]! };

    const page = await fetchIn(browser, '/');
    expect(page.status).toBe(200);
    expect(await page.text()).toContain(PAGE_TITLE);
    const appCookie = page.headers.get('set-cookie')!.split(';')[0]!;
    expect(appCookie).toBe('app_session=app-cookie-1');
    const script = await fetchIn(browser, '/static/app.js', { headers: { cookie: appCookie } });
    expect(await script.text()).toContain('new WebSocket');
    // The app sees its own cookie, never ours; its redirects to its own address come back to this origin.
    expect(app.seenCookies.at(-1)).toBe(appCookie);
    const login = await fetchIn(browser, '/login');
    expect(login.status).toBe(302);
    expect(login.headers.get('location')).toBe(`${browser.origin}/landed`);
  });

  it("serves over TLS with the bridge's certificate, and the cookie is Secure there", async () => {
    const forward = await openForward(alice);
    const ca = t.bridge.context.tls.caCertificate()!.pem;
    const mainPort = new URL(t.baseUrl).port;
    const link = await new Promise<{ url: string }>((resolve, reject) => {
      const req = https.request(`https://localhost:${mainPort}/api/forwards/${forward.forward_id}/link`, { method: 'POST', ca, lookup: loopbackLookup, headers: { authorization: `Bearer ${alice.token}` } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')) as { url: string }));
      });
      req.once('error', reject).end();
    });
    expect(link.url).toMatch(new RegExp(`^https://localhost:${forward.port}/`));
    const opened = await new Promise<{ status: number; cookie: string; fingerprint: string }>((resolve, reject) => {
      https.get(link.url, { ca, lookup: loopbackLookup }, (res) => {
        res.resume();
        const peer = (res.socket as import('node:tls').TLSSocket).getPeerCertificate();
        resolve({ status: res.statusCode ?? 0, cookie: res.headers['set-cookie']?.[0] ?? '', fingerprint: peer.fingerprint256 });
      }).once('error', reject);
    });
    expect(opened.status).toBe(303);
    expect(opened.cookie).toMatch(/; Secure/);
    const main = await httpsGet(`https://localhost:${mainPort}/healthz`, { ca });
    expect(opened.fingerprint).toBe(main.peer.fingerprint256);
    const page = await httpsGet(`https://localhost:${forward.port}/`, { ca, headers: { cookie: opened.cookie.split(';')[0]! } });
    expect(page.status).toBe(200);
    expect(page.body).toContain(PAGE_TITLE);
  });

  it('streams a 50 MiB POST and a download, and echoes over a WebSocket', async () => {
    const forward = await openForward(alice);
    const browser = await enterForward(t, forward.forward_id, alice.token);
    const sha = crypto.createHash('sha256');
    const upload = await fetchIn(browser, '/upload', { method: 'POST', body: Readable.toWeb(randomBody(50 * MIB, sha)) as ReadableStream, duplex: 'half' } as RequestInit);
    expect(upload.status).toBe(200);
    expect(await upload.json()).toEqual({ bytes: 50 * MIB, sha256: sha.digest('hex') });
    const download = await fetchIn(browser, `/download?bytes=${20 * MIB}`);
    expect((await download.arrayBuffer()).byteLength).toBe(20 * MIB);

    const ws = await openWebSocket(browser);
    expect(await echo(ws, 'hello through ssh')).toBe('hello through ssh');
    ws.close();
    const listed = await t.api<{ forwards: Forward[] }>('GET', '/api/forwards', undefined, { token: alice.token });
    const mine = listed.body.forwards.find((f) => f.forward_id === forward.forward_id)!;
    expect(mine.bytes_in).toBeGreaterThan(50 * MIB);
    expect(mine.bytes_out).toBeGreaterThan(20 * MIB);
  }, 120_000);

  it('a browser that resets its connection mid-stream (a closed tab, a lost Wi-Fi) leaves the bridge and the forward up', async () => {
    const forward = await openForward(alice);
    const browser = await enterForward(t, forward.forward_id, alice.token);
    const { port } = new URL(browser.origin);
    const head = (requestLine: string, extra: string): string => `${requestLine}\r\nHost: 127.0.0.1:${port}\r\nCookie: ${browser.cookie}\r\n${extra}\r\n`;
    const uncaught: Error[] = [];
    const onUncaught = (error: Error): void => void uncaught.push(error);
    process.on('uncaughtException', onUncaught);
    try {
      const key = crypto.randomBytes(16).toString('base64');
      // A WebSocket whose ticks arrive unread, a download the browser stops reading, an upload cut short:
      // each ended with a TCP reset, as a killed tab or a dropped Wi-Fi ends them.
      const cases = [
        { request: head('GET /ws?tick=1 HTTP/1.1', `Connection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: ${key}\r\n`), answer: /^HTTP\/1\.1 101/ },
        { request: head(`GET /download?bytes=${200 * MIB} HTTP/1.1`, ''), answer: /^HTTP\/1\.1 200/ },
        { request: head('POST /upload HTTP/1.1', `Content-Length: ${50 * MIB}\r\n`) + 'x'.repeat(64 * 1024), answer: null },
      ];
      for (const { request, answer } of cases) {
        const socket = net.connect(Number(port), '127.0.0.1');
        socket.on('error', () => {});
        await new Promise((resolve) => socket.once('connect', resolve));
        socket.write(request);
        if (answer) expect(await new Promise<string>((resolve) => socket.once('data', (chunk: Buffer) => resolve(chunk.toString('latin1'))))).toMatch(answer);
        await new Promise((resolve) => setTimeout(resolve, 300));
        socket.resetAndDestroy();
      }
      await new Promise((resolve) => setTimeout(resolve, 500));
    } finally {
      process.off('uncaughtException', onUncaught);
    }
    // The bridge runs in this process: an error it left unhandled would have ended a real bridge.
    expect(uncaught.map((error) => error.message)).toEqual([]);

    const ws = await openWebSocket(browser);
    expect(await echo(ws, 'still here')).toBe('still here');
    ws.close();
    expect((await fetchIn(browser, '/whoami')).status).toBe(200);
    expect((await t.api('GET', '/healthz')).status).toBe(200);
  });

  it("keeps users apart: another user's forward is 403 in the API and with their cookie", async () => {
    const forward = await openForward(alice);
    const bobs = await openForward(bob);
    const bobBrowser = await enterForward(t, bobs.forward_id, bob.token);
    expect((await t.api('POST', `/api/forwards/${forward.forward_id}/link`, undefined, { token: bob.token })).status).toBe(403);
    expect((await t.api('DELETE', `/api/forwards/${forward.forward_id}`, undefined, { token: bob.token })).status).toBe(403);
    expect((await t.api('DELETE', '/api/forwards/0000000000000000', undefined, { token: bob.token })).status).toBe(404);
    const listed = await t.api<{ forwards: Forward[] }>('GET', '/api/forwards', undefined, { token: bob.token });
    expect(listed.body.forwards.map((f) => f.forward_id)).toEqual([bobs.forward_id]);
    const intruder = { origin: new URL(forward.url).origin, cookie: bobBrowser.cookie };
    expect((await fetchIn(intruder, '/')).status).toBe(403);
    await expect(openWebSocket(intruder)).rejects.toThrow(/403/);
  });

  it('revoking a device and closing a forward end open WebSockets at once', async () => {
    const forward = await openForward(alice);
    const phone = await enterForward(t, forward.forward_id, alice.token);
    const tablet = await enterForward(t, forward.forward_id, aliceTablet.token);
    const phoneWs = await openWebSocket(phone);
    const tabletWs = await openWebSocket(tablet);
    expect(await echo(phoneWs, 'before')).toBe('before');

    expect((await t.api('DELETE', `/api/devices/${alice.deviceId}`)).status).toBe(200);
    await closed(phoneWs, 2000);
    expect((await fetchIn(phone, '/whoami')).status).toBe(401);
    expect(await echo(tabletWs, 'tablet still in')).toBe('tablet still in');

    expect((await t.api('DELETE', `/api/forwards/${forward.forward_id}`, undefined, { token: aliceTablet.token })).status).toBe(200);
    await closed(tabletWs, 2000);
    await expect(fetchIn(tablet, '/whoami')).rejects.toThrow();
    alice = aliceTablet;
  });

  it('closes forwards when their session goes, and records opens and closes', async () => {
    const forward = await openForward(bob);
    expect((await t.api('POST', '/ssh/disconnect?session_id=default', undefined, { token: bob.token })).status).toBe(200);
    await eventually('the forward closes with its session', async () => {
      const listed = await t.api<{ forwards: Forward[] }>('GET', '/api/forwards?user_id=bob');
      return !listed.body.forwards.some((f) => f.forward_id === forward.forward_id);
    });
    const port = forward.port;
    await expect(new Promise((resolve, reject) => net.connect(port, '127.0.0.1').once('connect', resolve).once('error', reject))).rejects.toThrow(/ECONNREFUSED/);
    await t.bridge.context.audit.flush();
    const audit = await t.api<{ entries: Array<{ event: string; details: Record<string, unknown> }> }>('GET', '/api/audit?user_id=bob');
    const events = audit.body.entries.filter((e) => e.details.forward_id === forward.forward_id).map((e) => [e.event, e.details.reason ?? null]);
    expect(events).toEqual([
      ['forward.open', null],
      ['forward.close', 'its SSH session closed'],
    ]);
  });

  it('allows at most 10 forwards per user', async () => {
    const open = (await t.api<{ forwards: Forward[] }>('GET', '/api/forwards', undefined, { token: alice.token })).body.forwards.length;
    for (let i = open; i < 10; i++) await openForward(alice);
    const over = await t.api('POST', '/api/forwards', { remote_port: app.port }, { token: alice.token });
    expect(over.status).toBe(409);
    expect(over.body.detail).toMatch(/10/);
  });
});

describe('idle forwards', () => {
  it('close after FORWARD_IDLE_MINUTES without traffic', async () => {
    const idle = await startBridge({ VIGILINK_DEVICE_LOCAL_TARGETS: '1', FORWARD_PORTS: '18200-18299', FORWARD_IDLE_MINUTES: '0.03' });
    try {
      expect((await idle.api('POST', '/ssh/connect?session_id=default', connectBody(sshd, account, { user_id: 'carol' }))).status).toBe(200);
      const opened = await idle.api<Forward>('POST', '/api/forwards', { user_id: 'carol', remote_port: app.port });
      expect(opened.status).toBe(200);
      await eventually('the idle forward closes', async () => (await idle.api<{ forwards: Forward[] }>('GET', '/api/forwards?user_id=carol')).body.forwards.length === 0, 15_000);
    } finally {
      await idle.close();
    }
  }, 60_000);
});
