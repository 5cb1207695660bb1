// The VPN capability: builds the Docker driver and VpnService, plugs them into the shared seams (SSH
// transport, commands, files, terminals, live state) and adopts running containers once the bridge listens.
import crypto from 'node:crypto';
import os from 'node:os';
import type { BridgeContext, Capability } from '../capability.js';
import type { ContainerStreamOpener } from '../core/container-stream.js';
import { runInContainer } from './container-commands.js';
import { ContainerExecSlots } from './container-exec-slots.js';
import { ContainerFileChanges } from './container-file-changes.js';
import { ContainerFiles } from './container-files.js';
import { containerShells } from './container-shell.js';
import { createDocker, DockerDriver } from './docker-driver.js';
import { FirewallRefresher } from './firewall-refresh.js';
import { openSocatStream } from './socat-transport.js';
import { VpnHealthWatcher } from './vpn-health.js';
import { VpnPrompts } from './vpn-prompts.js';
import { vpnRoutes } from './vpn.routes.js';
import { vpnSocket } from './vpn.socket.js';
import { VpnService } from './vpn.service.js';

/** Every address of this machine but loopback (which inside a container is the container itself). */
export function workstationAddresses(): string[] {
  return Object.values(os.networkInterfaces())
    .flatMap((addresses) => addresses ?? [])
    .filter((a) => !a.internal)
    .map((a) => a.address);
}

/** This bridge's containers are labelled with a hash of its data folder, so bridges sharing a Docker never adopt each other's. */
export const instanceId = (dataDir: string): string => crypto.createHash('sha256').update(dataDir).digest('hex').slice(0, 8);

export function vpnCapability(ctx: BridgeContext): Capability & { containerStream: ContainerStreamOpener } {
  const config = ctx.config.vpn;
  const docker = createDocker(config, (warning) => ctx.logger.warn({ event: 'docker.insecure' }, warning));
  const driver = new DockerDriver(docker, { ownNetworkInternal: config.ownNetworkInternal, workstationAddresses });
  const prompts = new VpnPrompts(config.promptTimeoutMs);
  const service = new VpnService({
    prompts,
    driver,
    store: ctx.store,
    logger: ctx.logger,
    config,
    instance: instanceId(ctx.config.dataDir),
    closeSessions: (userId, reason) => ctx.sessions.disconnectAll(userId, reason),
  });
  const firewalls = new FirewallRefresher(
    { containers: () => new Map(service.users().map((userId) => [userId, service.containerFor(userId) ?? ''])) },
    driver,
    ctx.logger,
  );
  const health = new VpnHealthWatcher(service, config.healthIntervalMs, ctx.logger);

  ctx.state.addSection('vpn', { snapshot: (userId) => service.snapshot(userId), users: () => service.users() });
  service.on('change', (userId) => ctx.state.notify(userId));
  service.on('change', () => firewalls.check());
  prompts.on('prompt', (userId, prompt) => {
    ctx.live.toUser(userId, 'vpn:prompt', { user_id: userId, prompt });
    ctx.state.notify(userId);
  });
  // SSH through the container, and port forwards without a session, leave from its tunnel the same way.
  const containerStream: ContainerStreamOpener = async (userId, hostname, port) => {
    const containerId = service.tunnelContainer(userId);
    return containerId ? openSocatStream(driver, containerId, hostname, port) : null;
  };
  ctx.sessions.setTransportProvider(containerStream);
  const slots = new ContainerExecSlots({ perContainer: config.execsPerUser, waitMs: config.execWaitMs });
  ctx.commands.setContainerTarget({
    containerFor: async (userId) => service.containerFor(userId),
    exec: async (containerId, command, options) => {
      // A revoked device's command leaves the queue for a slot at once, as it would stop once running.
      const release = await slots.acquire(containerId, options.signal);
      return runInContainer(driver, containerId, command, options).finally(release);
    },
  });
  ctx.terminals.setContainerShell(containerShells(driver, (userId) => service.containerFor(userId)));
  ctx.files.setContainerFiles(async (userId) => {
    const containerId = service.containerFor(userId);
    return containerId
      ? { files: new ContainerFiles({ driver, containerId, slots, listMaxEntries: ctx.config.fsListMaxEntries }), changes: new ContainerFileChanges(driver, containerId, slots) }
      : null;
  });

  return {
    name: 'vpn',
    containerStream,
    routes: vpnRoutes(service, prompts, ctx.audit),
    socket: vpnSocket(prompts),
    start: async () => {
      // Docker may be down at start; the bridge still serves everything else and VPN calls say why.
      await service.adopt().catch((error: unknown) => ctx.logger.warn({ event: 'vpn.adopt_failed', err: error }, 'could not adopt VPN containers'));
      await firewalls.refreshAll();
      health.start();
    },
    close: async () => {
      service.close();
      await health.stop();
    },
  };
}
