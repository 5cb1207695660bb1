// Plain HTTP from a real LAN address: a network namespace made by this test, joined to the host by a veth
// pair with private addresses, plays the phone. It gets /trust and nothing else; HTTPS works from there.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeDataDir, startBridge, type TestBridge } from '../support/bridge.js';
import { execFileAsync } from '../support/tls-client.js';

const tag = crypto.randomBytes(3).toString('hex');
const NS = `vlh-${tag}`;
const HOST_IF = `vlh${tag}a`;
const PHONE_IF = `vlh${tag}b`;
// A /30 in 10.231.0.0/16 picked per run, so parallel runs do not collide.
const subnet = crypto.randomInt(0, 63) * 4;
const HOST_ADDRESS = `10.231.${crypto.randomInt(0, 255)}.${subnet + 1}`;
const PHONE_ADDRESS = HOST_ADDRESS.replace(/\.\d+$/, `.${subnet + 2}`);

let strict: TestBridge;
let insecure: TestBridge;
let caFile: string;

async function ip(...args: string[]): Promise<void> {
  await execFileAsync('ip', args);
}

interface CurlAnswer {
  status: number;
  body: string;
  headers: string;
}

/** curl run inside the namespace: the bridge sees PHONE_ADDRESS as the client. */
async function phoneCurl(url: string, extra: string[] = []): Promise<CurlAnswer> {
  const { stdout } = await execFileAsync('ip', ['netns', 'exec', NS, 'curl', '-sS', '--max-time', '20', '-D', '-', '-o', '-', '-w', '\n%{http_code}', ...extra, url]);
  const status = Number(stdout.slice(stdout.lastIndexOf('\n') + 1));
  const text = stdout.slice(0, stdout.lastIndexOf('\n'));
  const split = text.indexOf('\r\n\r\n');
  return { status, headers: text.slice(0, split), body: text.slice(split + 4) };
}

beforeAll(async () => {
  await ip('netns', 'add', NS);
  await ip('link', 'add', HOST_IF, 'type', 'veth', 'peer', 'name', PHONE_IF);
  await ip('link', 'set', PHONE_IF, 'netns', NS);
  await ip('addr', 'add', `${HOST_ADDRESS}/30`, 'dev', HOST_IF);
  await ip('link', 'set', HOST_IF, 'up');
  await ip('netns', 'exec', NS, 'ip', 'addr', 'add', `${PHONE_ADDRESS}/30`, 'dev', PHONE_IF);
  await ip('netns', 'exec', NS, 'ip', 'link', 'set', PHONE_IF, 'up');
  await ip('netns', 'exec', NS, 'ip', 'link', 'set', 'lo', 'up');
  const lan = { lanAddresses: () => [{ interface: HOST_IF, address: HOST_ADDRESS }] };
  strict = await startBridge({ VIGILINK_HOST: HOST_ADDRESS }, makeDataDir(), lan);
  insecure = await startBridge({ VIGILINK_HOST: HOST_ADDRESS, VIGILINK_INSECURE_LAN_HTTP: '1' }, makeDataDir(), lan);
  caFile = path.join(strict.dataDir, 'tls', 'ca.crt');
});
afterAll(async () => {
  await strict?.close();
  await insecure?.close();
  // Deleting the namespace removes the veth pair with it.
  await ip('netns', 'del', NS).catch(() => undefined);
  await ip('link', 'del', HOST_IF).catch(() => undefined);
});

const base = (t: TestBridge): string => `http://${HOST_ADDRESS}:${new URL(t.baseUrl).port}`;

describe('plain HTTP from the LAN (a namespace behind a veth pair)', () => {
  it('serves /trust and the CA downloads', async () => {
    const page = await phoneCurl(`${base(strict)}/trust`);
    expect(page.status).toBe(200);
    const fingerprint = new crypto.X509Certificate(fs.readFileSync(caFile)).fingerprint256;
    expect(page.body).toContain(fingerprint);
    expect(page.body).toContain(`https://${HOST_ADDRESS}:${new URL(strict.baseUrl).port}/`);
    expect((await phoneCurl(`${base(strict)}/trust/vigilink-ca.crt`)).status).toBe(200);
    expect((await phoneCurl(`${base(strict)}/trust/vigilink.mobileconfig`)).headers).toMatch(/content-type: application\/x-apple-aspen-config/i);
  });

  it('gives the API no data, with or without a token, and sends pages to HTTPS', async () => {
    const auth = ['-H', `Authorization: Bearer ${strict.token}`];
    for (const route of ['/api/tls', '/ssh/status?user_id=alice', '/api/devices', '/openapi.json', '/socket.io/?EIO=4&transport=polling']) {
      const answer = await phoneCurl(`${base(strict)}${route}`, auth);
      expect(answer.status, route).toBe(403);
      expect(JSON.parse(answer.body).detail).toMatch(/only over HTTPS/);
    }
    const claim = await phoneCurl(`${base(strict)}/api/pair/claim`, ['-X', 'POST', '-H', 'content-type: application/json', '--data', '{"secret":"x"}']);
    expect(claim.status).toBe(403);
    const home = await phoneCurl(`${base(strict)}/pair`);
    expect(home.status).toBe(308);
    expect(home.headers).toMatch(new RegExp(`location: https://${HOST_ADDRESS.replace(/\./g, '\\.')}:\\d+/pair`, 'i'));
  });

  it('serves this machine on its own LAN address over plain HTTP (the desktop window when VIGILINK_HOST names it)', async () => {
    const answer = await fetch(`${base(strict)}/api/tls/trust`, { headers: { authorization: `Bearer ${strict.token}` } });
    expect(answer.status).toBe(200);
    expect(((await answer.json()) as { trust_url: string }).trust_url).toBe(`${base(strict)}/trust`);
  });

  it('answers HTTPS from the same address with the CA trusted', async () => {
    const answer = await phoneCurl(`https://${HOST_ADDRESS}:${new URL(strict.baseUrl).port}/api/tls`, ['--cacert', caFile, '-H', `Authorization: Bearer ${strict.token}`]);
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body).mode).toBe('local-ca');
    await expect(phoneCurl(`https://${HOST_ADDRESS}:${new URL(strict.baseUrl).port}/healthz`)).rejects.toThrow(/certificate/);
  });

  it('with VIGILINK_INSECURE_LAN_HTTP=1 serves the API on plain HTTP but never pairing', async () => {
    const info = await phoneCurl(`${base(insecure)}/api/tls`, ['-H', `Authorization: Bearer ${insecure.token}`]);
    expect(info.status).toBe(200);
    expect(JSON.parse(info.body).insecure_lan_http).toBe(true);
    const offer = await fetch(`${base(insecure)}/api/pair/offer`, {
      method: 'POST',
      headers: { authorization: `Bearer ${insecure.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ user_id: 'alice' }),
    });
    const secret = new URL(((await offer.json()) as { url: string }).url).hash.slice(1);
    const claim = await phoneCurl(`${base(insecure)}/api/pair/claim`, ['-X', 'POST', '-H', 'content-type: application/json', '--data', JSON.stringify({ secret })]);
    expect(claim.status).toBe(403);
    expect(claim.body).not.toContain('vld_');
    expect((await phoneCurl(`${base(insecure)}/pair`)).status).toBe(308);
    const log = fs.readFileSync(path.join(insecure.dataDir, 'bridge.log'), 'utf8');
    expect(log).toMatch(/VIGILINK_INSECURE_LAN_HTTP=1/);
  });
});
