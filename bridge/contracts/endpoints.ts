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
