// The container side of the bridge, built before the shared services: the Docker driver, VpnService and
// the ContainerPort through which SSH, commands, files and terminals reach a user's container.
import crypto from 'node:crypto';
import os from 'node:os';
import type { BridgeConfig } from '../config/config.js';
import type { ContainerPort } from '../core/container-port.js';
import type { Logger } from '../core/logger.js';
import type { ConnsStore } from '../store/conns-store.js';
import { runInContainer } from './container-commands.js';
import { ContainerExecSlots } from './container-exec-slots.js';
import { ContainerFileChanges } from './container-file-changes.js';
import { ContainerFiles } from './container-files.js';
import { containerShells } from './container-shell.js';
import { createDocker, DockerDriver } from './docker-driver.js';
import { openSocatStream } from './socat-transport.js';
import { VpnPrompts } from './vpn-prompts.js';
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

export interface ContainerSideOptions {
  config: BridgeConfig;
  logger: Logger;
  store: ConnsStore;
  /** A user's container went: their SSH sessions through it go too (the SSH service is built after this). */
  closeSessions(userId: string, reason: string): void;
}

export interface ContainerSide {
  service: VpnService;
  driver: DockerDriver;
  prompts: VpnPrompts;
  port: ContainerPort;
}

export function createContainerSide({ config, logger, store, closeSessions }: ContainerSideOptions): ContainerSide {
  const vpnConfig = config.vpn;
  const docker = createDocker(vpnConfig, (warning) => logger.warn({ event: 'docker.insecure' }, warning));
  const driver = new DockerDriver(docker, { ownNetworkInternal: vpnConfig.ownNetworkInternal, workstationAddresses });
  const prompts = new VpnPrompts(vpnConfig.promptTimeoutMs);
  const service = new VpnService({ prompts, driver, store, logger, config: vpnConfig, instance: instanceId(config.dataDir), closeSessions });
  const slots = new ContainerExecSlots({ perContainer: vpnConfig.execsPerUser, waitMs: vpnConfig.execWaitMs });
  const containerFor = (userId: string): string | null => service.containerFor(userId);
  const port: ContainerPort = {
    containerFor,
    exec: async (containerId, command, options) => {
      // A revoked device's command leaves the queue for a slot at once, as it would stop once running.
      const release = await slots.acquire(containerId, options.signal);
      return runInContainer(driver, containerId, command, options).finally(release);
    },
    files: (userId) => {
      const containerId = containerFor(userId);
      return containerId
        ? { files: new ContainerFiles({ driver, containerId, slots, listMaxEntries: config.fsListMaxEntries }), changes: new ContainerFileChanges(driver, containerId, slots) }
        : null;
    },
    openShell: containerShells(driver, containerFor).openShell,
    // SSH through the container, and port forwards without a session, leave from its tunnel the same way.
    openStream: async (userId, hostname, targetPort) => {
      const containerId = service.tunnelContainer(userId);
      return containerId ? openSocatStream(driver, containerId, hostname, targetPort) : null;
    },
  };
  return { service, driver, prompts, port };
}
