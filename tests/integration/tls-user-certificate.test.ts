// The user's own certificate (VIGILINK_TLS_CERT / VIGILINK_TLS_KEY) over real TLS: served instead of the
// local CA, reloaded when the files change without dropping a socket.io session or a kept-alive
// connection; an expired, mismatched or unreadable one stops the start naming the file and the reason.
import crypto from 'node:crypto';
import fs from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import tls from 'node:tls';
import { io } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBridge } from '../../bridge/app.js';
import { loadConfig } from '../../bridge/config/config.js';
import { createLogger } from '../../bridge/core/logger.js';
import { x509 } from '../../bridge/tls/x509.js';
import { makeDataDir, startBridge, type TestBridge } from '../support/bridge.js';
import { eventually } from '../support/eventually.js';
import { startBridgeChild } from '../support/server-child.js';
import { execFileAsync, httpsGet, tlsHandshake } from '../support/tls-client.js';

const NAME = 'ws.vigilink.test';
let dir: string;
let t: TestBridge;
let port: number;

/** A self-signed ECDSA certificate made by Debian's openssl (as `tailscale cert` or an ACME client would leave). */
async function makeCertificate(base: string): Promise<{ cert: string; key: string }> {
  const cert = path.join(dir, `${base}.crt`);
  const key = path.join(dir, `${base}.key`);
  await execFileAsync('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', key, '-out', cert,
    '-days', '30', '-subj', `/CN=${NAME}`, '-addext', `subjectAltName=DNS:${NAME},IP:127.0.0.1`,
  ]);
  return { cert, key };
}

/** Replace a file the way certbot and `tailscale cert` do: write beside it, rename over it. */
function replaceFile(target: string, source: string): void {
  fs.copyFileSync(source, `${target}.new`);
  fs.renameSync(`${target}.new`, target);
}

/** openssl cannot back-date a certificate; @peculiar/x509 (which the bridge's CA uses too) can. */
async function makeExpiredCertificate(): Promise<{ cert: string; key: string }> {
  const algorithm = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };
  const keys = await crypto.webcrypto.subtle.generateKey(algorithm, true, ['sign', 'verify']);
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: '01',
    name: `CN=${NAME}`,
    notBefore: new Date('2020-01-01T00:00:00Z'),
    notAfter: new Date('2021-01-01T00:00:00Z'),
    signingAlgorithm: algorithm,
    keys: keys as unknown as Parameters<typeof x509.X509CertificateGenerator.createSelfSigned>[0]['keys'],
  });
  const pkcs8 = await crypto.webcrypto.subtle.exportKey('pkcs8', keys.privateKey);
  const files = { cert: path.join(dir, 'expired.crt'), key: path.join(dir, 'expired.key') };
  fs.writeFileSync(files.cert, cert.toString('pem'));
  fs.writeFileSync(files.key, x509.PemConverter.encode(pkcs8, 'PRIVATE KEY'));
  return files;
}

const fingerprintOf = (file: string): string => new crypto.X509Certificate(fs.readFileSync(file)).fingerprint256;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(makeDataDir(), 'certs-'));
  const first = await makeCertificate('first');
  fs.copyFileSync(first.cert, path.join(dir, 'live.crt'));
  fs.copyFileSync(first.key, path.join(dir, 'live.key'));
  t = await startBridge({ VIGILINK_TLS_CERT: path.join(dir, 'live.crt'), VIGILINK_TLS_KEY: path.join(dir, 'live.key'), VIGILINK_TLS_NAMES: NAME });
  port = Number(new URL(t.baseUrl).port);
});
afterAll(async () => {
  await t?.close();
});

describe('the user’s own certificate', () => {
  it('is served instead of the local CA, which is not made', async () => {
    const peer = await tlsHandshake(port, NAME, fs.readFileSync(path.join(dir, 'first.crt'), 'utf8'));
    expect(peer.fingerprint256).toBe(fingerprintOf(path.join(dir, 'first.crt')));
    expect(fs.existsSync(path.join(t.dataDir, 'tls'))).toBe(false);
    expect((await t.api('GET', '/api/tls')).body).toEqual({ mode: 'user-certificate', ca_fingerprint_sha256: null, insecure_lan_http: false });
    expect((await fetch(`${t.baseUrl}/trust/vigilink-ca.crt`)).status).toBe(404);
  });

  it('is reloaded when the files change, without dropping a socket or a kept-alive connection', async () => {
    const firstCa = fs.readFileSync(path.join(dir, 'first.crt'), 'utf8');
    const second = await makeCertificate('second');
    const secondCa = fs.readFileSync(second.cert, 'utf8');
    const agent = new https.Agent({ keepAlive: true, maxSockets: 1 });
    expect((await httpsGet(`https://${NAME}:${port}/healthz`, { ca: firstCa, agent })).status).toBe(200);
    const socket = io(`https://127.0.0.1:${port}`, { auth: { token: t.token }, transports: ['websocket'], reconnection: false, ca: firstCa });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('connect_error', reject);
    });
    let disconnected = false;
    socket.on('disconnect', () => (disconnected = true));

    replaceFile(path.join(dir, 'live.key'), second.key);
    replaceFile(path.join(dir, 'live.crt'), second.cert);
    const served = await eventually('a handshake with the new certificate', async () => (await tlsHandshake(port, NAME, secondCa).catch(() => null))?.fingerprint256, { timeoutMs: 30_000, intervalMs: 500 });
    expect(served).toBe(fingerprintOf(second.cert));
    expect((await httpsGet(`https://${NAME}:${port}/healthz`, { ca: firstCa, agent })).status).toBe(200);
    expect(socket.connected && !disconnected).toBe(true);
    socket.close();
    agent.destroy();
  });

  it('is reloaded at once on SIGHUP (npm run serve, checks otherwise an hour apart)', async () => {
    const certDir = fs.mkdtempSync(path.join(dir, 'hup-'));
    const [one, two] = [await makeCertificate('hup-one'), await makeCertificate('hup-two')];
    fs.copyFileSync(one.cert, path.join(certDir, 'live.crt'));
    fs.copyFileSync(one.key, path.join(certDir, 'live.key'));
    const child = await startBridgeChild({
      dataDir: makeDataDir(),
      env: { VIGILINK_TLS_CERT: path.join(certDir, 'live.crt'), VIGILINK_TLS_KEY: path.join(certDir, 'live.key'), VIGILINK_TLS_CHECK_SECONDS: '3600' },
    });
    try {
      const childPort = Number(new URL(child.baseUrl).port);
      // Which certificate is served, trusted or not: the answer is its fingerprint.
      const fingerprint = (): Promise<string> => {
        const socket = tls.connect({ host: '127.0.0.1', port: childPort, servername: NAME, rejectUnauthorized: false });
        return new Promise((resolve, reject) => {
          socket.once('secureConnect', () => {
            resolve(socket.getPeerCertificate().fingerprint256);
            socket.end();
          });
          socket.once('error', reject);
        });
      };
      expect(await fingerprint()).toBe(fingerprintOf(one.cert));
      replaceFile(path.join(certDir, 'live.key'), two.key);
      replaceFile(path.join(certDir, 'live.crt'), two.cert);
      await new Promise((resolve) => setTimeout(resolve, 1500));
      expect(await fingerprint()).toBe(fingerprintOf(one.cert));
      child.child.kill('SIGHUP');
      await expect.poll(fingerprint, { timeout: 10_000 }).toBe(fingerprintOf(two.cert));
    } finally {
      await child.stop();
    }
  });

  it('keeps the last good certificate when a replacement is broken', async () => {
    const current = fingerprintOf(path.join(dir, 'live.crt'));
    fs.writeFileSync(path.join(dir, 'live.crt.new'), 'garbage');
    fs.renameSync(path.join(dir, 'live.crt.new'), path.join(dir, 'live.crt'));
    expect(await t.bridge.context.tls.refresh()).toBe(false);
    const peer = await tlsHandshake(port, NAME, fs.readFileSync(path.join(dir, 'second.crt'), 'utf8'));
    expect(peer.fingerprint256).toBe(current);
  });

  it('stops the start when expired, not matching its key, or unreadable, naming the file and the reason', async () => {
    const logger = createLogger({ level: 'silent' });
    const start = (cert: string, key: string) =>
      createBridge(loadConfig({ VIGILINK_HOST: '127.0.0.1', VIGILINK_PORT: '0', VIGILINK_DATA_DIR: makeDataDir(), VIGILINK_TLS_CERT: cert, VIGILINK_TLS_KEY: key }), { logger });
    const expired = await makeExpiredCertificate();
    await expect(start(expired.cert, expired.key)).rejects.toThrow(/VIGILINK_TLS_CERT: .*expired\.crt expired on 2021-01-01/);
    // npm run serve's process: exit 2 and the same message, no stack.
    await expect(
      startBridgeChild({ dataDir: makeDataDir(), env: { VIGILINK_TLS_CERT: expired.cert, VIGILINK_TLS_KEY: expired.key } }),
    ).rejects.toThrow(/exited with 2 before listening; stdout: ; stderr: VIGILINK_TLS_CERT: .*expired\.crt expired on 2021-01-01T00:00:00\.000Z\n$/);
    const other = await makeCertificate('other');
    await expect(start(path.join(dir, 'first.crt'), other.key)).rejects.toThrow(/VIGILINK_TLS_KEY: .*other\.key does not match the certificate in .*first\.crt/);
    await expect(start(path.join(dir, 'missing.crt'), other.key)).rejects.toThrow(/VIGILINK_TLS_CERT: cannot read .*missing\.crt \(ENOENT\)/);
    fs.writeFileSync(path.join(dir, 'bad.key'), '-----BEGIN PRIVATE KEY-----\nc2VjcmV0LWtleS1ieXRlcw==\n-----END PRIVATE KEY-----\n');
    const refusal = await start(path.join(dir, 'first.crt'), path.join(dir, 'bad.key')).catch((e: Error) => e.message);
    expect(refusal).toMatch(/VIGILINK_TLS_KEY: .*bad\.key holds no readable/);
    expect(refusal).not.toContain('c2VjcmV0');
  });
});
