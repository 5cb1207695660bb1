// The VPN capability: builds the Docker driver and VpnService, plugs them into the shared seams (SSH
// transport, commands, files, terminals, live state) and adopts running containers once the bridge listens.
import crypto from 'node:crypto';
import type { BridgeContext, Capability } from '../capability.js';
import { runInContainer } from './container-commands.js';
import { ContainerFileChanges } from './container-file-changes.js';
import { ContainerFiles } from './container-files.js';
import { containerShells } from './container-shell.js';
import { createDocker, DockerDriver } from './docker-driver.js';
import { openSocatStream } from './socat-transport.js';
import { VpnHealthWatcher } from './vpn-health.js';
import { vpnRoutes } from './vpn.routes.js';
import { VpnService } from './vpn.service.js';

/** This bridge's containers are labelled with a hash of its data folder, so bridges sharing a Docker never adopt each other's. */
export const instanceId = (dataDir: string): string => crypto.createHash('sha256').update(dataDir).digest('hex').slice(0, 8);

export function vpnCapability(ctx: BridgeContext): Capability {
  const config = ctx.config.vpn;
  const driver = new DockerDriver(createDocker(config.dockerHost));
  const service = new VpnService({
    driver,
    store: ctx.store,
    logger: ctx.logger,
    config,
    instance: instanceId(ctx.config.dataDir),
    closeSessions: (userId, reason) => ctx.sessions.disconnectAll(userId, reason),
  });
  const health = new VpnHealthWatcher(service, config.healthIntervalMs, ctx.logger);

  ctx.state.addSection('vpn', { snapshot: (userId) => service.snapshot(userId), users: () => service.users() });
  service.on('change', (userId) => ctx.state.notify(userId));
  ctx.sessions.setTransportProvider(async (userId, hostname, port) => {
    const containerId = service.tunnelContainer(userId);
    return containerId ? openSocatStream(driver, containerId, hostname, port) : null;
  });
  ctx.commands.setContainerTarget({
    containerFor: async (userId) => service.containerFor(userId),
    exec: (containerId, command, options) => runInContainer(driver, containerId, command, options),
  });
  ctx.terminals.setContainerShell(containerShells(driver, (userId) => service.containerFor(userId)));
  ctx.files.setContainerFiles(async (userId) => {
    const containerId = service.containerFor(userId);
    return containerId ? { files: new ContainerFiles(driver, containerId), changes: new ContainerFileChanges(driver, containerId) } : null;
  });

  return {
    name: 'vpn',
    routes: vpnRoutes(service, ctx.audit),
    start: async () => {
      // Docker may be down at start; the bridge still serves everything else and VPN calls say why.
      await service.adopt().catch((error: unknown) => ctx.logger.warn({ event: 'vpn.adopt_failed', err: error }, 'could not adopt VPN containers'));
      health.start();
    },
    close: async () => {
      service.close();
      await health.stop();
    },
  };
}
