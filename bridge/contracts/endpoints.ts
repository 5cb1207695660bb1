// The endpoint table: every HTTP operation of the bridge, by capability. The bridge's routes are built on
// these entries and the renderer calls them through `api.call`, so a path or a schema lives here only.
import { auditEndpoints } from './audit.endpoints.js';
import { authEndpoints } from './auth.endpoints.js';
import { filesEndpoints } from './files.endpoints.js';
import { forwardsEndpoints } from './forwards.endpoints.js';
import { gpuEndpoints } from './gpu.endpoints.js';
import { healthEndpoints } from './health.endpoints.js';
import { liveEndpoints } from './live.endpoints.js';
import { pairingEndpoints } from './pairing.endpoints.js';
import { slurmEndpoints } from './slurm.endpoints.js';
import { sshEndpoints } from './ssh.endpoints.js';
import { terminalEndpoints } from './terminal.endpoints.js';
import { tlsEndpoints } from './tls.endpoints.js';
import { vpnEndpoints } from './vpn.endpoints.js';

export const endpoints = {
  audit: auditEndpoints,
  auth: authEndpoints,
  files: filesEndpoints,
  forwards: forwardsEndpoints,
  gpu: gpuEndpoints,
  health: healthEndpoints,
  live: liveEndpoints,
  pairing: pairingEndpoints,
  slurm: slurmEndpoints,
  ssh: sshEndpoints,
  terminal: terminalEndpoints,
  tls: tlsEndpoints,
  vpn: vpnEndpoints,
};

/** Where the bridge answers with data rather than pages: every endpoint's first path segment, socket.io and the API docs. */
export const API_PATH_PREFIXES: readonly string[] = [
  ...new Set(
    Object.values(endpoints).flatMap((group) =>
      Object.values(group).map(({ path }) => {
        const second = path.indexOf('/', 1);
        return second === -1 ? path : path.slice(0, second + 1);
      }),
    ),
  ),
  '/socket.io/',
  '/openapi.json',
  '/docs',
];

/** Whether a request path is the API's (an unknown one stays a JSON 404; plain HTTP from the LAN is refused, not redirected). */
export const isApiPath = (path: string): boolean => API_PATH_PREFIXES.some((prefix) => path.startsWith(prefix));
