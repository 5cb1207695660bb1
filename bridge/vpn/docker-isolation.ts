// A user's container kept apart from the others and from the workstation: a Docker network of its own
// (labelled, removed with the container), no capabilities but NET_ADMIN (openconnect configures its tun
// device), no-new-privileges, and a firewall that root sets at start (assets/container/vigilink-firewall).
import type Docker from 'dockerode';
import { AppError } from '../core/errors.js';
import type { ContainerSpec } from './container-driver.js';

export interface IsolationOptions {
  /** Create each container's own network --internal (no route off the machine). */
  ownNetworkInternal: boolean;
  /** The workstation's own addresses now: every container's firewall rejects them. */
  workstationAddresses(): string[];
}

/** Marks a network the bridge made for one container: only such networks are ever removed. */
export const LABEL_OWN_NETWORK = 'vigilink.own-network';

/** What openconnect and vpnc-script need (checked against the tests' ocserv): NET_ADMIN, nothing else. */
export const HARDENING = {
  CapDrop: ['ALL'],
  CapAdd: ['NET_ADMIN'],
  SecurityOpt: ['no-new-privileges'],
};

const statusOf = (error: unknown): number | undefined => (error as { statusCode?: number })?.statusCode;

/** Create the container's own network (named as the container), or take back the one a crash left under its name (if it is ours). */
export async function ensureOwnNetwork(docker: Docker, spec: ContainerSpec, internal: boolean): Promise<void> {
  const name = spec.name;
  try {
    await docker.createNetwork({ Name: name, Driver: 'bridge', Internal: internal, CheckDuplicate: true, Labels: { ...spec.labels, [LABEL_OWN_NETWORK]: '1' } });
  } catch (error) {
    if (statusOf(error) !== 409) throw error;
    const existing = (await docker.getNetwork(name).inspect()) as { Labels?: Record<string, string> };
    if (existing.Labels?.[LABEL_OWN_NETWORK] !== '1') throw new AppError('conflict', `Container creation failed: a network named '${name}' exists and is not the bridge's`);
  }
}

/** Remove the bridge's own networks among `names` (once their container is gone); others are left alone. */
export async function removeOwnNetworks(docker: Docker, names: readonly string[]): Promise<void> {
  for (const name of names) {
    const network = docker.getNetwork(name);
    const info = (await network.inspect().catch(() => null)) as { Labels?: Record<string, string> } | null;
    if (info?.Labels?.[LABEL_OWN_NETWORK] !== '1') continue;
    await network.remove().catch((error: unknown) => {
      if (statusOf(error) !== 404) throw error;
    });
  }
}

type Networks = Record<string, { Gateway?: string; IPv6Gateway?: string }>;

/** The addresses the firewall rejects: the workstation's, and each network's gateway (the Docker host). */
export function blockedAddresses(workstation: readonly string[], networks: Networks): string[] {
  const gateways = Object.values(networks).flatMap((n) => [n.Gateway, n.IPv6Gateway]);
  return [...new Set([...workstation, ...gateways].filter((a): a is string => !!a))];
}

export const firewallArgv = (addresses: readonly string[]): string[] => ['vigilink-firewall', ...addresses];

/** The firewall script's failure, as something a person can act on (an image from before it existed). */
export function firewallError(detail: string): AppError {
  const stale = /not found|no such file/i.test(detail) ? ' (the image predates it: rebuild it with npm run image)' : '';
  return new AppError('failed', `Container start failed: its firewall could not be set${stale}: ${detail}`);
}
