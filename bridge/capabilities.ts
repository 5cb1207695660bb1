// The capabilities of one bridge, in order, each given the few shared services it uses. Part of the
// composition root: the only place that knows every capability.
import { auditCapability } from './audit/audit.capability.js';
import { authRoutes } from './auth/auth.routes.js';
import { fileChangesCapability } from './files/files.capability.js';
import { filesRoutes } from './files/files.routes.js';
import { forwardsCapability } from './forwards/forwards.capability.js';
import { gpuCapability } from './gpu/gpu.capability.js';
import { liveCapability } from './live/live.capability.js';
import type { DeviceRegistry } from './pairing/device-registry.js';
import { pairingCapability } from './pairing/pairing.capability.js';
import type { BridgeContext } from './shared-services.js';
import { slurmCapability } from './slurm/slurm.capability.js';
import { sshRoutes } from './ssh/ssh.routes.js';
import { commandRoutes } from './terminal/command.routes.js';
import { terminalCapability } from './terminal/terminal.capability.js';
import { tlsCapability } from './tls/tls.capability.js';
import type { Capability } from './transport/capability.js';
import type { HostCheck } from './transport/host-check.js';
import { defineRoute } from './transport/route.js';
import { healthEndpoints } from './contracts/health.endpoints.js';
import type { ContainerSide } from './vpn/container-side.js';
import { vpnCapability } from './vpn/vpn.capability.js';

/** What the capabilities need beyond the shared services: the plug-ins' own parts the composition root built. */
export interface CapabilityParts {
  containers: ContainerSide;
  devices: DeviceRegistry;
  hostCheck: HostCheck;
}

function coreCapability(ctx: BridgeContext): Capability {
  return {
    name: 'core',
    routes: [
      defineRoute(healthEndpoints.check, {
        tag: 'health',
        summary: 'Liveness check',
        auth: 'none',
        handler: () => ({ status: 'ok' as const }),
      }),
      ...sshRoutes(ctx.sessions, ctx.hostKeys),
      ...commandRoutes(ctx.commands),
      ...filesRoutes(ctx.files, ctx.config.downloadStallMs),
      ...authRoutes(ctx.ownerSessions),
    ],
  };
}

export function createCapabilities(ctx: BridgeContext, parts: CapabilityParts): Capability[] {
  const { config, logger, sessions, state, live, audit } = ctx;
  // Built before the list, as it always was: its part of the user's state comes right after the SSH sessions'.
  const vpn = vpnCapability({ containers: parts.containers, config: config.vpn, logger, state, live, audit });
  // Order matters only where one capability builds on another's service.
  return [
    coreCapability(ctx),
    auditCapability({ sessions, audit }),
    pairingCapability({ registry: parts.devices, config, logger, state, live, audit, deviceWork: ctx.deviceWork, lanAddresses: ctx.lanAddresses }),
    tlsCapability({ tls: ctx.tls, config, lanAddresses: ctx.lanAddresses }),
    liveCapability({ state, live, terminals: ctx.terminals, logger }),
    terminalCapability({ terminals: ctx.terminals, audit }),
    gpuCapability({ config, logger, sessions, containers: ctx.containers, state, live }),
    slurmCapability({ config, logger, sessions, live }),
    vpn,
    fileChangesCapability({ files: ctx.files, readMaxBytes: config.fsReadMaxBytes }),
    forwardsCapability({ config, logger, sessions, containers: ctx.containers, audit, deviceWork: ctx.deviceWork, hostCheck: parts.hostCheck, tls: ctx.tls, state }),
  ];
}
