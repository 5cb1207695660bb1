// The LAN listener over real TLS with the local CA as the only trust anchor: the chain and its name
// constraints, a public-name leaf refused by Node and by Debian's openssl, a new leaf when the LAN
// address changes (no restart), /trust on the same port, and a damaged CA stopping the start.
import fs from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBridge } from '../../bridge/app.js';
import { loadConfig } from '../../bridge/config/config.js';
import { createLogger } from '../../bridge/core/logger.js';
import { issueLeaf, loadOrCreateLocalCa } from '../../bridge/tls/local-ca.js';
import { makeDataDir, startBridge, type TestBridge } from '../support/bridge.js';
import { execFileAsync, httpsGet, tlsHandshake } from '../support/tls-client.js';
import { startBridgeChild } from '../support/server-child.js';

const LAN_NAME = 'ws.vigilink.test';
let lanAddress = '192.168.77.10';
let t: TestBridge;
let port: number;
let caPem: string;
let work: string;

beforeAll(async () => {
  t = await startBridge({ VIGILINK_TLS_NAMES: LAN_NAME }, makeDataDir(), {
    lanAddresses: () => [{ interface: 'eth-test', address: lanAddress }],
  });
  port = Number(new URL(t.baseUrl).port);
  caPem = fs.readFileSync(path.join(t.dataDir, 'tls', 'ca.crt'), 'utf8');
  work = fs.mkdtempSync(path.join(t.dataDir, 'work-'));
});
afterAll(async () => {
  await t?.close();
});

function sanOf(peer: tls.PeerCertificate): string {
  return peer.subjectaltname ?? '';
}

async function opensslVerify(chainPem: string): Promise<{ ok: boolean; output: string }> {
  const [leaf, intermediate] = chainPem.split(/(?=-----BEGIN CERTIFICATE-----)/);
  fs.writeFileSync(path.join(work, 'leaf.pem'), leaf!);
  fs.writeFileSync(path.join(work, 'intermediate.pem'), intermediate!);
  fs.writeFileSync(path.join(work, 'root.pem'), caPem);
  try {
    const { stdout, stderr } = await execFileAsync('openssl', ['verify', '-CAfile', 'root.pem', '-untrusted', 'intermediate.pem', 'leaf.pem'], { cwd: work });
    return { ok: true, output: stdout + stderr };
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string };
    return { ok: false, output: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}

describe('TLS on the LAN with the local CA', () => {
  it('keeps the CA key private (0600) and the loopback HTTP API unchanged', async () => {
    expect(fs.statSync(path.join(t.dataDir, 'tls', 'intermediate.key')).mode & 0o777).toBe(0o600);
    const health = await fetch(`${t.baseUrl}/healthz`);
    expect(health.status).toBe(200);
    expect((await t.api('GET', '/ssh/status?user_id=alice')).status).toBe(200);
  });

  it('answers a LAN name over HTTPS with the CA as the only trust anchor, and fails without it', async () => {
    const ok = await httpsGet(`https://${LAN_NAME}:${port}/healthz`, { ca: caPem });
    expect(ok.status).toBe(200);
    expect(JSON.parse(ok.body)).toEqual({ status: 'ok' });
    expect(sanOf(ok.peer)).toContain(`DNS:${LAN_NAME}`);
    await expect(httpsGet(`https://${LAN_NAME}:${port}/healthz`)).rejects.toMatchObject({ code: 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY' });
    // The API over TLS is the same API: a token works, none is 401.
    const authed = await httpsGet(`https://${LAN_NAME}:${port}/api/tls`, { ca: caPem, headers: { authorization: `Bearer ${t.token}` } });
    expect(JSON.parse(authed.body)).toMatchObject({ mode: 'local-ca', insecure_lan_http: false });
    expect(JSON.parse(authed.body).ca_fingerprint_sha256).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
  });

  it('serves a chain whose intermediate carries critical name constraints for private ranges and local names', async () => {
    const peer = await tlsHandshake(port, LAN_NAME, caPem);
    const intermediate = peer.issuerCertificate;
    expect(intermediate.subject.CN).toMatch(/^Vigilink LAN issuer/);
    fs.writeFileSync(path.join(work, 'served-intermediate.der'), intermediate.raw);
    const { stdout } = await execFileAsync('openssl', ['x509', '-inform', 'DER', '-in', path.join(work, 'served-intermediate.der'), '-noout', '-text']);
    expect(stdout).toMatch(/X509v3 Name Constraints: critical/);
    for (const permitted of ['DNS:localhost', 'DNS:local', `DNS:${LAN_NAME}`, 'IP:10.0.0.0/255.0.0.0', 'IP:192.168.0.0/255.255.0.0', 'IP:100.64.0.0/255.192.0.0']) {
      expect(stdout).toContain(permitted);
    }
    expect(stdout).toMatch(/CA:TRUE, pathlen:0/);
    // The root the phone installs is the chain's anchor.
    expect(intermediate.issuerCertificate.fingerprint256).toBe(new (await import('node:crypto')).X509Certificate(caPem).fingerprint256);
  });

  it('refuses a leaf for a public name or address signed with the key the bridge keeps (Node and openssl)', async () => {
    const ca = await loadOrCreateLocalCa(path.join(t.dataDir, 'tls'), []);
    const good = await issueLeaf(ca, { dnsNames: [LAN_NAME], ipAddresses: ['10.1.2.3'], validityDays: 30 });
    expect(await opensslVerify(good.chainPem)).toMatchObject({ ok: true });
    for (const bad of [
      { dnsNames: ['www.example.com'], ipAddresses: [] },
      { dnsNames: [], ipAddresses: ['8.8.8.8'] },
    ]) {
      const leaf = await issueLeaf(ca, { ...bad, validityDays: 30 });
      const verdict = await opensslVerify(leaf.chainPem);
      expect(verdict.ok).toBe(false);
      expect(verdict.output).toMatch(/permitted subtree violation/);
      const server = tls.createServer({ cert: leaf.chainPem, key: leaf.keyPem });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const badPort = (server.address() as { port: number }).port;
      const name = bad.dnsNames[0] ?? bad.ipAddresses[0]!;
      await expect(tlsHandshake(badPort, name.includes('.com') ? name : 'localhost', caPem)).rejects.toThrow(/permitted subtree violation/);
      server.close();
    }
  });

  it('issues a new leaf when the LAN address changes, without a restart and without dropping a kept-alive connection', async () => {
    const agent = new https.Agent({ keepAlive: true, maxSockets: 1 });
    const before = await httpsGet(`https://${LAN_NAME}:${port}/healthz`, { ca: caPem, agent });
    expect(sanOf(before.peer)).toContain('IP Address:192.168.77.10');
    lanAddress = '10.20.30.40';
    expect(await t.bridge.context.tls.refresh()).toBe(true);
    expect(await t.bridge.context.tls.refresh()).toBe(false);
    // The open connection keeps its session; a new one gets the new leaf under the same CA.
    const same = await httpsGet(`https://${LAN_NAME}:${port}/healthz`, { ca: caPem, agent });
    expect(same.status).toBe(200);
    const fresh = await tlsHandshake(port, LAN_NAME, caPem);
    expect(sanOf(fresh)).toContain('IP Address:10.20.30.40');
    expect(sanOf(fresh)).not.toContain('192.168.77.10');
    expect(() => tls.checkServerIdentity('10.20.30.40', fresh)).not.toThrow();
    // A client that connects to an address sends no SNI and gets the server's default context: renewed too.
    const noSni = await new Promise<tls.PeerCertificate>((resolve, reject) => {
      const socket = tls.connect({ host: '127.0.0.1', port, ca: caPem }, () => {
        resolve(socket.getPeerCertificate());
        socket.end();
      });
      socket.on('error', reject);
    });
    expect(sanOf(noSni)).toContain('IP Address:10.20.30.40');
    agent.destroy();
  });

  it('serves /trust with the fingerprint and the CA as .crt and .mobileconfig, and never the key', async () => {
    const page = await fetch(`${t.baseUrl}/trust`);
    expect(page.status).toBe(200);
    const html = await page.text();
    const fingerprint = new (await import('node:crypto')).X509Certificate(caPem).fingerprint256;
    expect(html).toContain(fingerprint);
    const crt = Buffer.from(await (await fetch(`${t.baseUrl}/trust/vigilink-ca.crt`)).arrayBuffer());
    expect(new (await import('node:crypto')).X509Certificate(crt).fingerprint256).toBe(fingerprint);
    const profile = await (await fetch(`${t.baseUrl}/trust/vigilink.mobileconfig`)).text();
    expect(profile).toContain('<string>com.apple.security.root</string>');
    expect(profile).toContain(crt.toString('base64'));
    const keyText = fs.readFileSync(path.join(t.dataDir, 'tls', 'intermediate.key'), 'utf8');
    for (const p of ['/trust/intermediate.key', '/intermediate.key', '/tls/intermediate.key']) {
      const answer = await (await fetch(`${t.baseUrl}${p}`)).text();
      expect(answer).not.toContain(keyText.split('\n')[1]);
    }
    expect(fs.readFileSync(path.join(t.dataDir, 'bridge.log'), 'utf8')).not.toContain(keyText.split('\n')[1]);
  });

  it('makes pairing URLs https and a trust QR code for http://<lan>:<port>/trust', async () => {
    // The test bridge listens on loopback only, so the LAN address is named (as the desktop's address picker does).
    const offer = await t.api('POST', '/api/pair/offer', { user_id: 'alice', address: '10.20.30.40' });
    expect(offer.body.url).toMatch(new RegExp(`^https://10\\.20\\.30\\.40:${port}/pair#`));
    const trust = await t.api('GET', '/api/tls/trust?address=10.20.30.40');
    expect(trust.body.trust_url).toBe(`http://10.20.30.40:${port}/trust`);
    expect(trust.body.qr_png).toMatch(/^data:image\/png;base64,/);
  });
});

describe('a damaged local CA', () => {
  it('stops the start with a message saying how to reset it, and leaves the files alone', async () => {
    const dataDir = makeDataDir();
    const logger = createLogger({ level: 'silent' });
    const config = loadConfig({ VIGILINK_HOST: '127.0.0.1', VIGILINK_PORT: '0', VIGILINK_DATA_DIR: dataDir });
    const first = await createBridge(config, { logger });
    await first.close();
    const rootFile = path.join(dataDir, 'tls', 'ca.crt');
    fs.writeFileSync(rootFile, 'not a certificate\n');
    await expect(createBridge(config, { logger })).rejects.toThrow(/local certificate authority in .*tls is damaged.*move that folder away/);
    expect(fs.readFileSync(rootFile, 'utf8')).toBe('not a certificate\n');
    // npm run serve's process: exit 2 with the message on stderr.
    await expect(startBridgeChild({ dataDir })).rejects.toThrow(/exited with 2 before listening; stdout: ; stderr: The local certificate authority .* is damaged/);
    fs.rmSync(path.join(dataDir, 'tls', 'ca.crt'));
    await expect(createBridge(config, { logger })).rejects.toThrow(/damaged \(some of ca\.crt, intermediate\.crt, intermediate\.key are missing\)/);
  });
});

describe('closing the listener', () => {
  it('does not wait for clients stuck before or inside a TLS handshake', async () => {
    const t2 = await startBridge();
    const port2 = Number(new URL(t2.baseUrl).port);
    const net = await import('node:net');
    const silent = net.connect(port2, '127.0.0.1');
    const halfHandshake = net.connect(port2, '127.0.0.1', () => halfHandshake.write(Buffer.from([0x16, 0x03, 0x01])));
    const ended = Promise.all([silent, halfHandshake].map((s) => new Promise((resolve) => s.once('close', resolve))));
    silent.on('error', () => undefined);
    halfHandshake.on('error', () => undefined);
    await new Promise((resolve) => setTimeout(resolve, 200));
    const started = Date.now();
    await t2.close();
    expect(Date.now() - started).toBeLessThan(5_000);
    await ended;
  });
});
