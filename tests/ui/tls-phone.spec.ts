// A phone on the LAN over real HTTPS, in Debian's Chromium: the local CA imported into a temporary NSS
// database (certutil) as the only thing trusted beyond the system, and a LAN name mapped to loopback by
// --host-resolver-rules. The phone pairs over https, is a secure context, registers the service worker,
// has a valid manifest and an offline shell; without the CA, or for a public name, Chromium refuses.
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { chromium, type Browser } from '@playwright/test';
import jsqr from 'jsqr';
import { PNG } from 'pngjs';
import config, { CHROMIUM_PATH } from '../../playwright.config.js';
import { issueLeaf, loadOrCreateLocalCa } from '../../bridge/tls/local-ca.js';
import { startBridge, type TestBridge } from '../support/bridge.js';
import { freePort } from '../support/sshd.js';
import { DESKTOP, expect, PHONE, shot, test, watchProblems } from './fixtures.js';

const LAN_NAME = 'ws.vigilink.test';
const PUBLIC_NAME = 'www.example.com';

let bridge: TestBridge;

/** A one-time owner sign-in link of that bridge (the owner token itself never goes in a URL). */
async function signInLink(b: TestBridge): Promise<string> {
  const link = await b.api<{ url: string }>('POST', '/api/auth/signin-link');
  if (link.status !== 200) throw new Error(`signin-link failed: ${link.status}`);
  return link.body.url;
}
let port: number;
let trustedHome: string;
let emptyHome: string;
const browsers: Browser[] = [];

/** Decodes the QR code visible in a PNG screenshot, as a phone camera would. */
function decodeQr(screenshot: Buffer): string | null {
  const png = PNG.sync.read(screenshot);
  return jsqr.default(new Uint8ClampedArray(png.data.buffer, png.data.byteOffset, png.data.length), png.width, png.height)?.data ?? null;
}

/** A HOME whose NSS database (where Chromium on Linux keeps user-trusted roots) holds `caFile`, or nothing. */
function nssHome(caFile: string | null): string {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'vigilink-nss-'));
  const db = path.join(home, '.pki', 'nssdb');
  fs.mkdirSync(db, { recursive: true });
  execFileSync('certutil', ['-N', '-d', `sql:${db}`, '--empty-password']);
  if (caFile) execFileSync('certutil', ['-A', '-d', `sql:${db}`, '-n', 'Vigilink test CA', '-t', 'C,,', '-i', caFile]);
  return home;
}

/** Chromium with that HOME; the LAN name and the public name both resolve to loopback, nothing else changes. */
async function launch(home: string): Promise<Browser> {
  const args = config.use?.launchOptions?.args ?? [];
  const browser = await chromium.launch({
    executablePath: CHROMIUM_PATH,
    env: { ...process.env, HOME: home },
    args: [...args, `--host-resolver-rules=MAP ${LAN_NAME} 127.0.0.1, MAP ${PUBLIC_NAME} 127.0.0.1`],
  });
  browsers.push(browser);
  return browser;
}

test.beforeAll(async () => {
  port = await freePort();
  bridge = await startBridge({ VIGILINK_PORT: String(port), VIGILINK_TLS_NAMES: LAN_NAME, VIGILINK_PUBLIC_URL: `https://${LAN_NAME}:${port}` });
  const caFile = path.join(bridge.dataDir, 'tls', 'ca.crt');
  trustedHome = nssHome(caFile);
  emptyHome = nssHome(null);
});

test.afterAll(async () => {
  for (const browser of browsers) await browser.close();
  await bridge?.close();
  for (const home of [trustedHome, emptyHome]) if (home) fs.rmSync(home, { recursive: true, force: true });
});

test('a phone pairs over https with the CA trusted: secure context, service worker, manifest, offline shell', async () => {
  const browser = await launch(trustedHome);
  const context = await browser.newContext(PHONE);
  const page = await context.newPage();
  const problems = watchProblems(page);
  const offer = await bridge.api('POST', '/api/pair/offer', { user_id: 'tls-user' });
  expect(offer.body.url).toMatch(new RegExp(`^https://${LAN_NAME.replace(/\./g, '\\.')}:${port}/pair#`));

  await test.step('the https pairing URL pairs and lands in the app', async () => {
    await page.goto(offer.body.url);
    await expect(page).toHaveURL(`https://${LAN_NAME}:${port}/sessions`);
    await expect(page.getByText('No sessions yet')).toBeVisible();
    // The live socket (socket.io over wss on the same port) is up too.
    await expect(page.locator('.conn-online').filter({ visible: true })).toBeVisible();
    expect(await page.evaluate('window.isSecureContext')).toBe(true);
  });

  await test.step('the service worker registers and controls the page', async () => {
    const script = await page.evaluate('navigator.serviceWorker.ready.then((r) => r.active && r.active.scriptURL)');
    expect(script).toBe(`https://${LAN_NAME}:${port}/sw.js`);
    await page.reload();
    expect(await page.evaluate('navigator.serviceWorker.controller && navigator.serviceWorker.controller.scriptURL')).toBe(script);
  });

  await test.step("the manifest is valid by Chromium's own parser, with icons of the sizes it names", async () => {
    const cdp = await context.newCDPSession(page);
    const manifest = (await cdp.send('Page.getAppManifest')) as { url: string; errors: unknown[]; data?: string };
    expect(manifest.url).toBe(`https://${LAN_NAME}:${port}/manifest.webmanifest`);
    expect(manifest.errors).toEqual([]);
    const data = JSON.parse(manifest.data!) as { name: string; start_url: string; display: string; icons: { src: string; sizes: string; type: string }[] };
    expect(data).toMatchObject({ name: 'Vigilink', start_url: '/', display: 'standalone' });
    const icons = await page.evaluate(async (list) => {
      const browser = globalThis as any;
      return Promise.all(
        list.map(async (icon) => {
          const blob = await (await fetch(icon.src)).blob();
          const bitmap = await browser.createImageBitmap(blob);
          return { sizes: icon.sizes, actual: `${bitmap.width}x${bitmap.height}`, type: blob.type };
        }),
      );
    }, data.icons);
    expect(icons.map((i) => i.sizes)).toEqual(expect.arrayContaining(['192x192', '512x512']));
    for (const icon of icons) expect(icon).toMatchObject({ actual: icon.sizes, type: 'image/png' });
  });

  await test.step('offline, the cached shell opens and says it cannot reach the workstation; no API answer or token is cached', async () => {
    await context.setOffline(true);
    await page.reload();
    await expect(page.getByText('Cannot reach your workstation')).toBeVisible();
    await shot(page, 'offline-shell-phone');
    const cached = await page.evaluate(async () => {
      const { caches } = globalThis as any;
      const entries: { url: string; body: string }[] = [];
      for (const name of await caches.keys()) {
        const cache = await caches.open(name);
        for (const request of await cache.keys()) entries.push({ url: request.url, body: await (await cache.match(request))!.text() });
      }
      return { entries };
    });
    await context.setOffline(false);
    expect(cached.entries.length).toBeGreaterThan(0);
    for (const entry of cached.entries) {
      expect(new URL(entry.url).pathname).not.toMatch(/^\/(api|ssh|vpn|socket\.io|trust|healthz)/);
      expect(entry.body).not.toMatch(/vld_[A-Za-z0-9_-]{20,}/);
    }
  });
  expect(problems).toEqual([]);
});

test('the phone shows notifications for a new pairing of its user and a GPU alert, once allowed', async () => {
  const browser = await launch(trustedHome);
  const context = await browser.newContext(PHONE);
  await context.grantPermissions(['notifications'], { origin: `https://${LAN_NAME}:${port}` });
  const page = await context.newPage();
  const first = await bridge.api('POST', '/api/pair/offer', { user_id: 'notify-user' });
  await page.goto(first.body.url);
  await expect(page.locator('.conn-online').filter({ visible: true })).toBeVisible();
  await page.evaluate('navigator.serviceWorker.ready');
  // A second phone of the same user pairs (over the API): the first hears of it through its pushed state.
  const second = await bridge.api('POST', '/api/pair/offer', { user_id: 'notify-user' });
  const claim = await bridge.api('POST', '/api/pair/claim', { secret: new URL(second.body.url).hash.slice(1), device_name: 'Tablet' }, { token: null });
  expect(claim.status).toBe(200);
  const shown = () => page.evaluate('navigator.serviceWorker.ready.then((r) => r.getNotifications()).then((list) => list.map((n) => n.title + ": " + n.body))');
  await expect.poll(shown).toEqual(['Phone paired: Tablet was paired for notify-user.']);
  // A GPU alert, sent the way the GPU capability sends a fired rule (its rules are tested in gpu-live).
  bridge.bridge.context.live.toUser('notify-user', 'alert', {
    id: 'a1',
    type: 'gpu',
    rule_id: 'r1',
    kind: 'utilization_below',
    user_id: 'notify-user',
    session_id: 'default',
    host: 'gpu-node-7',
    gpu_index: 0,
    gpu_uuid: null,
    value: 3,
    message: 'GPU 0 under 10% for 5 min',
    fired_at: new Date().toISOString(),
  });
  await expect.poll(shown).toContain('GPU alert on gpu-node-7: GPU 0 under 10% for 5 min');
});

test('the desktop shows "Trust on a phone": a QR code for /trust and the CA fingerprint', async () => {
  const browser = await launch(emptyHome);
  const context = await browser.newContext(DESKTOP);
  const page = await context.newPage();
  await page.goto(await signInLink(bridge));
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Devices' }).first().click();
  await page.getByRole('button', { name: 'Show trust code' }).click();
  await expect(page.getByTestId('trust-qr')).toBeVisible();
  // The Devices view has grown (host keys, devices): bring the code into the picture before reading it.
  await page.getByTestId('trust-qr').scrollIntoViewIfNeeded();
  const fingerprint = new crypto.X509Certificate(fs.readFileSync(path.join(bridge.dataDir, 'tls', 'ca.crt'))).fingerprint256;
  await expect(page.getByTestId('ca-fingerprint')).toHaveText(fingerprint);
  const decoded = decodeQr(await shot(page, 'devices-trust-on-a-phone-desktop'));
  expect(decoded).toBe(`http://127.0.0.1:${port}/trust`);
});

test('with VIGILINK_INSECURE_LAN_HTTP=1 the UI warns that plain HTTP is allowed on the LAN', async () => {
  const insecure = await startBridge({ VIGILINK_INSECURE_LAN_HTTP: '1' });
  try {
    const page = await (await (await launch(emptyHome)).newContext(PHONE)).newPage();
    await page.goto(await signInLink(insecure));
    await expect(page.getByText('Plain HTTP is allowed on the LAN')).toBeVisible();
    await shot(page, 'insecure-lan-banner-phone');
  } finally {
    await insecure.close();
  }
  const page = await (await (await launch(emptyHome)).newContext(PHONE)).newPage();
  await page.goto(await signInLink(bridge));
  await expect(page.locator('.conn-online').filter({ visible: true })).toBeVisible();
  await expect(page.getByText('Plain HTTP is allowed on the LAN')).toHaveCount(0);
});

test('without the CA the same page fails with a certificate error', async () => {
  const browser = await launch(emptyHome);
  const page = await (await browser.newContext(PHONE)).newPage();
  await expect(page.goto(`https://${LAN_NAME}:${port}/sessions`)).rejects.toThrow(/ERR_CERT_AUTHORITY_INVALID/);
});

test('a leaf for a public name, signed with the key the bridge keeps, is refused by Chromium that trusts the CA', async () => {
  const ca = await loadOrCreateLocalCa(path.join(bridge.dataDir, 'tls'), []);
  const leaf = await issueLeaf(ca, { dnsNames: [PUBLIC_NAME], ipAddresses: [], validityDays: 30 });
  const server = tls.createServer({ cert: leaf.chainPem, key: leaf.keyPem }, (socket) => socket.end('HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const badPort = (server.address() as { port: number }).port;
  try {
    const page = await (await (await launch(trustedHome)).newContext()).newPage();
    await expect(page.goto(`https://${PUBLIC_NAME}:${badPort}/`)).rejects.toThrow(/ERR_CERT_(NAME_CONSTRAINT_VIOLATION|INVALID)/);
  } finally {
    server.close();
  }
});
