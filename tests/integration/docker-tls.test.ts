// DOCKER_TLS_VERIFY against a real TLS endpoint in front of the real dockerd: a loopback TLS server that
// asks for a client certificate and passes the bytes on to /var/run/docker.sock. Certificates are made
// here with openssl: the right CA, and a rogue one for each side of the handshake.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import type net from 'node:net';
import { connect as connectUnix } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../bridge/config/config.js';
import { createDocker, DockerDriver } from '../../bridge/vpn/docker-driver.js';
import { startBridge } from '../support/bridge.js';
import { requireDocker } from '../support/docker.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigilink-docker-tls-'));
const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });

/** A self-signed CA in `name`-ca.pem / `name`-ca-key.pem. */
function makeCa(name: string): void {
  openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', `/CN=${name} test CA`, '-keyout', `${name}-ca-key.pem`, '-out', `${name}-ca.pem`);
}

/** A leaf certificate `out`.pem / `out`-key.pem signed by CA `ca`, with the given extensions. */
function makeLeaf(ca: string, out: string, cn: string, extensions: string): void {
  fs.writeFileSync(path.join(dir, `${out}.ext`), extensions);
  openssl('req', '-newkey', 'rsa:2048', '-nodes', '-subj', `/CN=${cn}`, '-keyout', `${out}-key.pem`, '-out', `${out}.csr`);
  openssl('x509', '-req', '-in', `${out}.csr`, '-CA', `${ca}-ca.pem`, '-CAkey', `${ca}-ca-key.pem`, '-CAcreateserial', '-days', '2', '-extfile', `${out}.ext`, '-out', `${out}.pem`);
}

/** A DOCKER_CERT_PATH folder: ca.pem (trusted for the daemon), cert.pem and key.pem (this client). */
function certFolder(name: string, ca: string, client: string): string {
  const folder = path.join(dir, name);
  fs.mkdirSync(folder);
  fs.copyFileSync(path.join(dir, `${ca}-ca.pem`), path.join(folder, 'ca.pem'));
  fs.copyFileSync(path.join(dir, `${client}.pem`), path.join(folder, 'cert.pem'));
  fs.copyFileSync(path.join(dir, `${client}-key.pem`), path.join(folder, 'key.pem'));
  return folder;
}

interface TlsDocker {
  port: number;
  /** Client certificates the server accepted, by common name. */
  accepted: string[];
  close(): Promise<void>;
}

/** dockerd's API over TLS with client authentication, as `dockerd --tlsverify` serves it. */
async function startTlsDocker(serverCert: string): Promise<TlsDocker> {
  const accepted: string[] = [];
  const sockets = new Set<net.Socket>();
  const server = tls.createServer(
    {
      key: fs.readFileSync(path.join(dir, `${serverCert}-key.pem`)),
      cert: fs.readFileSync(path.join(dir, `${serverCert}.pem`)),
      ca: fs.readFileSync(path.join(dir, 'good-ca.pem')),
      requestCert: true,
      rejectUnauthorized: true,
    },
    (socket) => {
      accepted.push(String(socket.getPeerCertificate().subject.CN));
      const daemon = connectUnix('/var/run/docker.sock');
      sockets.add(socket).add(daemon);
      socket.pipe(daemon).pipe(socket);
      const end = () => (socket.destroy(), daemon.destroy());
      socket.on('error', end).on('close', end);
      daemon.on('error', end).on('close', end);
    },
  );
  server.on('tlsClientError', () => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    accepted,
    close: () => {
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

const serverExt = 'basicConstraints=CA:FALSE\nsubjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n';
const clientExt = 'basicConstraints=CA:FALSE\nextendedKeyUsage=clientAuth\n';
let good: TlsDocker;
let impostor: TlsDocker;

beforeAll(async () => {
  await requireDocker();
  makeCa('good');
  makeCa('rogue');
  makeLeaf('good', 'server', '127.0.0.1', serverExt);
  makeLeaf('rogue', 'fake-server', '127.0.0.1', serverExt);
  makeLeaf('good', 'client', 'vigilink-bridge', clientExt);
  makeLeaf('rogue', 'rogue-client', 'stranger', clientExt);
  good = await startTlsDocker('server');
  impostor = await startTlsDocker('fake-server');
}, 120_000);

afterAll(async () => {
  await good?.close();
  await impostor?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const tlsEndpoint = (port: number, certPath: string) =>
  loadConfig({ DOCKER_HOST: `tcp://127.0.0.1:${port}`, DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: certPath }).vpn;

describe('DOCKER_TLS_VERIFY and DOCKER_CERT_PATH', () => {
  it('reaches the daemon over TLS with the client certificate from DOCKER_CERT_PATH', async () => {
    const warnings: string[] = [];
    const docker = createDocker(tlsEndpoint(good.port, certFolder('bridge', 'good', 'client')), (w) => warnings.push(w));
    expect(String(await docker.ping())).toBe('OK');
    expect(Array.isArray(await new DockerDriver(docker, { ownNetworkInternal: true, workstationAddresses: () => [] }).list({ 'vigilink.tls-test': 'none' }))).toBe(true);
    expect(good.accepted).toContain('vigilink-bridge');
    expect(warnings).toEqual([]);
  });

  it('is refused by the daemon with a client certificate it does not trust', async () => {
    const docker = createDocker(tlsEndpoint(good.port, certFolder('stranger', 'good', 'rogue-client')));
    await expect(docker.ping()).rejects.toThrow();
    expect(good.accepted).not.toContain('stranger');
  });

  it('refuses a daemon whose certificate is not signed by ca.pem', async () => {
    const docker = createDocker(tlsEndpoint(impostor.port, certFolder('bridge-2', 'good', 'client')));
    await expect(docker.ping()).rejects.toThrow(/certificate|self.signed|unable to verify/i);
    expect(impostor.accepted).toEqual([]);
  });

  it('logs a warning when the bridge uses a tcp:// daemon without DOCKER_TLS_VERIFY', async () => {
    const t = await startBridge({ DOCKER_HOST: `tcp://127.0.0.1:${good.port}` });
    await t.close();
    const log = fs.readFileSync(path.join(t.dataDir, 'bridge.log'), 'utf8');
    expect(log).toMatch(/"event":"docker.insecure".*without DOCKER_TLS_VERIFY/);
  });
});
