// dockerConnection: DOCKER_HOST, DOCKER_TLS_VERIFY and DOCKER_CERT_PATH read as the docker CLI reads them.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../bridge/config/config.js';
import { dockerConnection } from '../../../bridge/vpn/docker-endpoint.js';

const certDir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigilink-docker-certs-'));
for (const name of ['ca', 'cert', 'key']) fs.writeFileSync(path.join(certDir, `${name}.pem`), `${name} contents`);
afterAll(() => fs.rmSync(certDir, { recursive: true, force: true }));

const endpoint = (env: Record<string, string>) => loadConfig(env).vpn;

describe('dockerConnection', () => {
  it('uses the local socket by default and for unix://, without a warning', () => {
    expect(dockerConnection(endpoint({}))).toEqual({ options: { socketPath: '/var/run/docker.sock' }, warning: null });
    expect(dockerConnection(endpoint({ DOCKER_HOST: 'unix:///run/other.sock' }))).toEqual({ options: { socketPath: '/run/other.sock' }, warning: null });
  });

  it('speaks plain http to tcp:// without DOCKER_TLS_VERIFY, and warns', () => {
    const { options, warning } = dockerConnection(endpoint({ DOCKER_HOST: 'tcp://10.1.2.3' }));
    expect(options).toEqual({ host: '10.1.2.3', port: 2375, protocol: 'http' });
    expect(warning).toMatch(/tcp:\/\/10\.1\.2\.3 .*without DOCKER_TLS_VERIFY/);
  });

  it('speaks TLS with ca.pem, cert.pem and key.pem from DOCKER_CERT_PATH when DOCKER_TLS_VERIFY is set', () => {
    const { options, warning } = dockerConnection(endpoint({ DOCKER_HOST: 'tcp://docker.example:2376', DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: certDir }));
    expect(warning).toBeNull();
    expect(options).toMatchObject({ host: 'docker.example', port: 2376, protocol: 'https' });
    expect([options.ca, options.cert, options.key].map(String)).toEqual(['ca contents', 'cert contents', 'key contents']);
  });

  it('counts any non-empty DOCKER_TLS_VERIFY as on, like the CLI, and defaults the host to localhost:2376', () => {
    const { options } = dockerConnection(endpoint({ DOCKER_TLS_VERIFY: '0', DOCKER_CERT_PATH: certDir }));
    expect(options).toMatchObject({ host: 'localhost', port: 2376, protocol: 'https' });
  });

  it('defaults DOCKER_CERT_PATH to ~/.docker', () => {
    expect(endpoint({}).dockerCertPath).toBe(path.join(os.homedir(), '.docker'));
  });

  it('names the missing file when a certificate cannot be read', () => {
    fs.rmSync(path.join(certDir, 'key.pem'));
    expect(() => dockerConnection(endpoint({ DOCKER_HOST: 'tcp://127.0.0.1:2376', DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: certDir }))).toThrow(
      `${path.join(certDir, 'key.pem')} cannot be read`,
    );
  });
});
