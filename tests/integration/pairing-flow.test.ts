// Pairing over real HTTP: offers with QR codes, claims (once, before expiry, rate limited), device tokens
// acting for their user, devices.json holding hashes only, revocation cutting a live socket, the CLI.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import jsqr from 'jsqr';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBridge, type TestBridge } from '../support/bridge.js';
import { connectSocket, pairDevice, waitForDisconnect, waitForEvent } from '../support/live-client.js';

const execFileAsync = promisify(execFile);
let t: TestBridge;

beforeAll(async () => {
  t = await startBridge();
});
afterAll(async () => {
  await t?.close();
});

const secretOf = (url: string): string => new URL(url).hash.slice(1);
const claim = (bridge: TestBridge, secret: string, deviceName = 'phone') =>
  bridge.api('POST', '/api/pair/claim', { secret, device_name: deviceName }, { token: null });

function decodeQrPng(dataUrl: string): string | null {
  const png = PNG.sync.read(Buffer.from(dataUrl.replace(/^data:image\/png;base64,/, ''), 'base64'));
  return jsqr.default(new Uint8ClampedArray(png.data), png.width, png.height)?.data ?? null;
}

function lanIpv4(): string[] {
  return Object.values(os.networkInterfaces())
    .flat()
    .filter((a) => a && a.family === 'IPv4' && !a.internal)
    .map((a) => a!.address);
}

describe('pairing a phone', () => {
  let secret: string;
  let device: { device_id: string; token: string; user_id: string };

  it('makes an offer with a URL whose fragment is the secret, and QR codes that decode to it', async () => {
    const started = Date.now();
    const res = await t.api('POST', '/api/pair/offer', { user_id: 'alice', device_name: 'Pixel' });
    expect(res.status).toBe(200);
    const port = new URL(t.baseUrl).port;
    // The test bridge listens on 127.0.0.1 only: that is the one address a phone could use.
    expect(res.body.url).toMatch(new RegExp(`^https://127\\.0\\.0\\.1:${port}/pair#[A-Za-z0-9_-]+$`));
    secret = secretOf(res.body.url);
    // At least 128 bits of base64url.
    expect(secret.length).toBeGreaterThanOrEqual(22);
    expect(res.body.user_id).toBe('alice');
    // Seconds left when the answer was made (after the QR images): 120, or a second less on a loaded machine.
    expect(res.body.expires_in).toBeGreaterThanOrEqual(118);
    expect(res.body.expires_in).toBeLessThanOrEqual(120);
    expect(Date.parse(res.body.expires_at) - started).toBeGreaterThan(118_000);
    expect(Date.parse(res.body.expires_at) - started).toBeLessThan(122_000);
    expect(res.body.qr_svg).toMatch(/^<svg[\s\S]*<\/svg>\s*$/);
    expect(res.body.qr_png).toMatch(/^data:image\/png;base64,/);
    expect(decodeQrPng(res.body.qr_png)).toBe(res.body.url);
  });

  it('lists every non-internal IPv4 address', async () => {
    const res = await t.api('GET', '/api/pair/addresses');
    expect(res.status).toBe(200);
    expect(res.body.addresses.map((a: { address: string }) => a.address).sort()).toEqual(lanIpv4().sort());
    expect(res.body.public_url).toBeNull();
  });

  it('puts a chosen LAN address in the URL, and refuses one this machine does not have', async () => {
    const port = new URL(t.baseUrl).port;
    for (const address of lanIpv4()) {
      const res = await t.api('POST', '/api/pair/offer', { user_id: 'alice', address });
      expect(res.body.url.startsWith(`https://${address}:${port}/pair#`)).toBe(true);
    }
    const foreign = await t.api('POST', '/api/pair/offer', { user_id: 'alice', address: '203.0.113.77' });
    expect(foreign.status).toBe(400);
    expect(foreign.body.detail).toMatch(/address: 203\.0\.113\.77 is not one of this machine's LAN addresses/);
  });

  it('exchanges the secret, without a token, for a device token of at least 256 bits', async () => {
    const res = await claim(t, secret, 'Pixel 8');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ user_id: 'alice', device_name: 'Pixel 8' });
    device = res.body;
    expect(Buffer.from(device.token.replace(/^vld_/, ''), 'base64url').length).toBeGreaterThanOrEqual(32);
  });

  it('lets the device act for its own user without naming it', async () => {
    const res = await t.api('GET', '/ssh/status', undefined, { token: device.token });
    expect(res.status).toBe(200);
    expect(res.body.user_id).toBe('alice');
    const devices = await t.api('GET', '/api/devices', undefined, { token: device.token });
    expect(devices.status).toBe(200);
    expect(devices.body.devices).toEqual([
      expect.objectContaining({ id: device.device_id, user_id: 'alice', name: 'Pixel 8', last_ip: expect.stringContaining('127.0.0.1') }),
    ]);
    expect(devices.body.devices[0].last_seen_at).not.toBeNull();
  });

  it('refuses the same secret a second time with reason "used"', async () => {
    const res = await claim(t, secret);
    expect(res.status).toBe(401);
    expect(res.body).toMatchObject({ reason: 'used', detail: expect.stringMatching(/already used/) });
  });

  it('refuses a wrong secret with reason "unknown"', async () => {
    const res = await claim(t, 'x'.repeat(32));
    expect(res.status).toBe(401);
    expect(res.body).toMatchObject({ reason: 'unknown', detail: expect.stringMatching(/not valid/) });
  });

  it('keeps only a hash of the token in devices.json (mode 0600), and neither secret nor token in the log', async () => {
    const file = path.join(t.dataDir, 'devices.json');
    const text = fs.readFileSync(file, 'utf8');
    expect(text).toContain(device.device_id);
    expect(text).not.toContain(device.token);
    expect(text).not.toContain(device.token.slice(4, 24));
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    const log = fs.readFileSync(path.join(t.dataDir, 'bridge.log'), 'utf8');
    expect(log).not.toContain(secret);
    expect(log).not.toContain(device.token);
  });

  it('lets only the owner make offers', async () => {
    const res = await t.api('POST', '/api/pair/offer', { user_id: 'alice' }, { token: device.token });
    expect(res.status).toBe(403);
  });

  it('keeps the device paired across a restart of the bridge', async () => {
    await t.close();
    t = await startBridge({}, t.dataDir);
    const res = await t.api('GET', '/ssh/status', undefined, { token: device.token });
    expect(res.status).toBe(200);
    expect(res.body.user_id).toBe('alice');
  });

  it('revokes: the token stops working and an open socket is cut within a second', async () => {
    const socket = await connectSocket(t.baseUrl, { token: device.token });
    try {
      const started = Date.now();
      const disconnected = waitForDisconnect(socket, 1000);
      const res = await t.api('DELETE', `/api/devices/${device.device_id}`);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ revoked: true, id: device.device_id, user_id: 'alice' });
      expect(await disconnected).toBe('io server disconnect');
      expect(Date.now() - started).toBeLessThan(1000);
      const after = await t.api('GET', '/ssh/status', undefined, { token: device.token });
      expect(after.status).toBe(401);
      await expect(connectSocket(t.baseUrl, { token: device.token })).rejects.toThrow(/unauthorized/);
      const again = await t.api('DELETE', `/api/devices/${device.device_id}`);
      expect(again.status).toBe(404);
    } finally {
      socket.close();
    }
  });

  it('tells owner sockets when an offer is claimed', async () => {
    const owner = await connectSocket(t.baseUrl, { token: t.token });
    try {
      const offer = await t.api('POST', '/api/pair/offer', { user_id: 'dana', device_name: 'iPad' });
      const claimed = waitForEvent(owner, 'pair:claimed');
      const res = await t.api('POST', '/api/pair/claim', { secret: secretOf(offer.body.url) }, { token: null });
      expect(res.status).toBe(200);
      expect(res.body.device_name).toBe('iPad');
      const [event] = await claimed;
      expect(event).toEqual({ offer_id: offer.body.offer_id, device: expect.objectContaining({ id: res.body.device_id, user_id: 'dana', name: 'iPad' }) });
    } finally {
      owner.close();
    }
  });

  it('lets a device revoke its own user’s devices (itself included)', async () => {
    const phone = await pairDevice(t, 'erin', 'phone');
    const tablet = await pairDevice(t, 'erin', 'tablet');
    expect((await t.api('DELETE', `/api/devices/${tablet.deviceId}`, undefined, { token: phone.token })).status).toBe(200);
    expect((await t.api('DELETE', `/api/devices/${phone.deviceId}`, undefined, { token: phone.token })).status).toBe(200);
    expect((await t.api('GET', '/api/devices', undefined, { token: phone.token })).status).toBe(401);
  });
});

describe('expiry, rate limit and public URL (short-lived offers)', () => {
  let short: TestBridge;
  beforeAll(async () => {
    short = await startBridge({ PAIR_OFFER_TTL_SECONDS: '0.3', VIGILINK_PUBLIC_URL: 'https://home.example.net/vigilink/' });
  });
  afterAll(async () => {
    await short?.close();
  });

  it('puts VIGILINK_PUBLIC_URL in the pairing URL instead of the LAN address', async () => {
    const res = await short.api('POST', '/api/pair/offer', { user_id: 'bob' });
    expect(res.status).toBe(200);
    expect(res.body.url).toMatch(/^https:\/\/home\.example\.net\/vigilink\/pair#[A-Za-z0-9_-]+$/);
    expect((await short.api('GET', '/api/pair/addresses')).body.public_url).toBe('https://home.example.net/vigilink');
  });

  it('refuses an expired secret with reason "expired"', async () => {
    const res = await short.api('POST', '/api/pair/offer', { user_id: 'bob' });
    await new Promise((resolve) => setTimeout(resolve, 400));
    const late = await claim(short, secretOf(res.body.url));
    expect(late.status).toBe(401);
    expect(late.body).toMatchObject({ reason: 'expired', detail: expect.stringMatching(/expired/) });
  });

});

describe('rate limit', () => {
  it('answers 429 with Retry-After after 10 claims a minute from one address, even for a good secret', async () => {
    const fresh = await startBridge();
    try {
      for (let i = 0; i < 10; i += 1) expect((await claim(fresh, `guess-${i}`)).status).toBe(401);
      const offer = await fresh.api('POST', '/api/pair/offer', { user_id: 'bob' });
      const limited = await claim(fresh, secretOf(offer.body.url));
      expect(limited.status).toBe(429);
      const retryAfter = Number(limited.headers.get('retry-after'));
      expect(retryAfter).toBeGreaterThanOrEqual(1);
      expect(retryAfter).toBeLessThanOrEqual(60);
      expect(limited.body.detail).toMatch(/Too many pairing attempts/);
    } finally {
      await fresh.close();
    }
  });
});

describe('npm run pair', () => {
  it('prints a terminal QR code and the pairing URL from a running bridge', async () => {
    const { stdout } = await execFileAsync(
      process.execPath,
      ['--import', 'tsx', 'bridge/pairing/pair.cli.ts', '--user', 'carol', '--url', t.baseUrl, '--no-wait'],
      { env: { ...process.env, VIGILINK_DATA_DIR: t.dataDir }, timeout: 30_000 },
    );
    const url = /(https:\/\/\S+\/pair#[A-Za-z0-9_-]+)/.exec(stdout)?.[1];
    expect(stdout).toMatch(/Open http:\/\/\S+:\d+\/trust and install/);
    expect(stdout).toMatch(/fingerprint must be ([0-9A-F]{2}:){31}[0-9A-F]{2}/);
    expect(url).toBeDefined();
    // qrcode's terminal renderer draws with half blocks.
    expect(stdout).toMatch(/[▀▄█]/);
    const res = await claim(t, secretOf(url!), 'cli phone');
    expect(res.status).toBe(200);
    expect(res.body.user_id).toBe('carol');
  });

  it('says how to start the bridge when none answers', async () => {
    const error = await execFileAsync(process.execPath, ['--import', 'tsx', 'bridge/pairing/pair.cli.ts', '--user', 'carol', '--url', 'http://127.0.0.1:1'], {
      env: { ...process.env, VIGILINK_DATA_DIR: t.dataDir },
      timeout: 30_000,
    }).catch((e: { code: number; stderr: string }) => e);
    expect(error).toMatchObject({ code: 1, stderr: expect.stringMatching(/npm run serve/) });
  });
});
