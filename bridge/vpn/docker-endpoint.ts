// How to reach the Docker Engine API, read as the docker CLI reads DOCKER_HOST, DOCKER_TLS_VERIFY and
// DOCKER_CERT_PATH: a unix socket, plain tcp (with a warning), or TLS that verifies the daemon and
// authenticates the bridge with ca.pem, cert.pem and key.pem from the cert folder.
import fs from 'node:fs';
import path from 'node:path';
import type Docker from 'dockerode';
import type { BridgeConfig } from '../config/config.js';
import { errorMessage } from '../core/errors.js';

export type DockerEndpoint = Pick<BridgeConfig['vpn'], 'dockerHost' | 'dockerTlsVerify' | 'dockerCertPath'>;

export const LOCAL_DOCKER: DockerEndpoint = { dockerHost: '', dockerTlsVerify: false, dockerCertPath: '' };

const LOCAL_SOCKET = '/var/run/docker.sock';
/** The CLI's host when TLS is asked for and DOCKER_HOST is empty. */
const DEFAULT_TLS_HOST = 'tcp://localhost:2376';

export interface DockerConnection {
  options: Docker.DockerOptions;
  /** Set when the API is reached without TLS verification: anyone on the path can drive the daemon. */
  warning: string | null;
}

function readCerts(certPath: string): { ca: Buffer; cert: Buffer; key: Buffer } {
  const read = (name: string): Buffer => {
    const file = path.join(certPath, `${name}.pem`);
    try {
      return fs.readFileSync(file);
    } catch (error) {
      throw new Error(`DOCKER_TLS_VERIFY is set but ${file} cannot be read (${errorMessage(error)}); set DOCKER_CERT_PATH to the folder with ca.pem, cert.pem and key.pem`, {
        cause: error,
      });
    }
  };
  return { ca: read('ca'), cert: read('cert'), key: read('key') };
}

/** dockerode options for an endpoint; throws an Error naming the file when TLS is asked for and a cert is missing. */
export function dockerConnection(endpoint: DockerEndpoint): DockerConnection {
  const host = endpoint.dockerHost || (endpoint.dockerTlsVerify ? DEFAULT_TLS_HOST : '');
  if (!host) return { options: { socketPath: LOCAL_SOCKET }, warning: null };
  if (host.startsWith('unix://')) return { options: { socketPath: host.slice('unix://'.length) || LOCAL_SOCKET }, warning: null };
  const url = new URL(host.replace(/^tcp:\/\//, 'http://'));
  const tls = endpoint.dockerTlsVerify || url.protocol === 'https:';
  const options: Docker.DockerOptions = { host: url.hostname.replace(/^\[|\]$/g, ''), port: Number(url.port || (tls ? 2376 : 2375)), protocol: tls ? 'https' : 'http' };
  if (endpoint.dockerTlsVerify) return { options: { ...options, ...readCerts(endpoint.dockerCertPath) }, warning: null };
  return {
    options,
    warning: `DOCKER_HOST ${host} is used without DOCKER_TLS_VERIFY: the daemon is not verified and anyone who can reach it controls it; set DOCKER_TLS_VERIFY=1 and DOCKER_CERT_PATH`,
  };
}
