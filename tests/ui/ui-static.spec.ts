// How the bridge serves the UI (bridge/ui): index.html with a CSP at / and at every app path (SPA
// fallback), hashed bundles cached for good, the manifest and its icons, and the API's own 404s untouched.
import fs from 'node:fs';
import path from 'node:path';
import { expect, test } from './fixtures.js';

const HTML = { accept: 'text/html,application/xhtml+xml' };

test('the bridge serves the built UI with an SPA fallback, sane caching and a CSP', async ({ stack, request }) => {
  const base = stack.baseUrl;
  const index = await request.get(`${base}/`, { headers: HTML });
  expect(index.status()).toBe(200);
  expect(index.headers()['content-type']).toContain('text/html');
  expect(index.headers()['cache-control']).toBe('no-cache');
  const csp = index.headers()['content-security-policy'];
  expect(csp).toContain("script-src 'self'");
  expect(csp).toContain("frame-ancestors 'none'");
  expect(index.headers()['x-content-type-options']).toBe('nosniff');
  const html = await index.text();
  expect(html).toContain('<div id="root">');

  // Any app path opens the app (a reload on /files, the QR code's /pair).
  for (const route of ['/files?path=/tmp', '/pair', '/gpus']) {
    const page = await request.get(`${base}${route}`, { headers: HTML });
    expect(page.status(), route).toBe(200);
    expect(await page.text()).toBe(html);
  }

  // The hashed bundle: cached for a year, revalidated never.
  const script = /src="(\/assets\/[^"]+\.js)"/.exec(html)?.[1];
  expect(script).toBeTruthy();
  const bundle = await request.get(`${base}${script}`);
  expect(bundle.status()).toBe(200);
  expect(bundle.headers()['content-type']).toContain('text/javascript');
  expect(bundle.headers()['cache-control']).toBe('public, max-age=31536000, immutable');
  expect(Number(bundle.headers()['content-length'])).toBe(fs.statSync(path.join('renderer/dist', script!)).size);
  const again = await request.get(`${base}${script}`, { headers: { 'if-modified-since': bundle.headers()['last-modified']! } });
  expect(again.status()).toBe(304);

  // The installable web app: a manifest whose icons are real PNGs of the sizes it claims.
  const manifest = await request.get(`${base}/manifest.webmanifest`);
  expect(manifest.headers()['content-type']).toContain('application/manifest+json');
  const { icons, display, start_url } = (await manifest.json()) as { icons: { src: string; sizes: string }[]; display: string; start_url: string };
  expect(display).toBe('standalone');
  expect(start_url).toBe('/');
  for (const icon of icons) {
    const image = await request.get(`${base}${icon.src}`);
    expect(image.status(), icon.src).toBe(200);
    expect(image.headers()['content-type']).toBe('image/png');
    const png = await image.body();
    const [width, height] = [png.readUInt32BE(16), png.readUInt32BE(20)];
    expect(`${width}x${height}`).toBe(icon.sizes);
  }

  // Unknown API paths stay JSON 404s, even from a browser; missing files are 404, not the app.
  const api = await request.get(`${base}/api/no-such-thing`, { headers: HTML });
  expect(api.status()).toBe(404);
  expect(await api.json()).toEqual({ detail: expect.stringContaining('Not found') });
  expect((await request.get(`${base}/assets/missing-123.js`)).status()).toBe(404);
  expect((await request.get(`${base}/favicon.ico`, { headers: HTML })).status()).toBe(404);
  expect((await request.get(`${base}/openapi.json`)).headers()['content-type']).toContain('application/json');

  // No way out of the served folders.
  for (const escape of ['/..%2f..%2fpackage.json', '/icons/..%2f..%2fpackage.json', '/assets/%2e%2e/%2e%2e/package.json']) {
    const answer = await request.get(`${base}${escape}`);
    expect(answer.status(), escape).toBe(404);
    expect(await answer.text()).not.toContain('"name": "vigilink"');
  }
});
