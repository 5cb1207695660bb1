// The workstation's LAN addresses, primary first: where a phone on the same network can reach the bridge.
import fs from 'node:fs';
import os from 'node:os';

export interface InterfaceAddress {
  interface: string;
  address: string;
}

/** Virtual interfaces (containers, VMs, tunnels) that a phone on the LAN cannot reach: listed last. */
const VIRTUAL_INTERFACE = /^(docker|br-|veth|virbr|vmnet|vboxnet|tun|tap|wg|utun|zt|tailscale|cni|flannel|lxc)/;

/**
 * Every non-internal IPv4 address. The interface holding the default route comes first (that is the
 * one the LAN sees), then physical-looking ones, then virtual ones.
 */
export function lanAddresses(
  interfaces: NodeJS.Dict<os.NetworkInterfaceInfo[]> = os.networkInterfaces(),
  defaultRouteInterfaces: readonly string[] = readDefaultRouteInterfaces(),
): InterfaceAddress[] {
  const rank = (name: string): number => (defaultRouteInterfaces.includes(name) ? 0 : VIRTUAL_INTERFACE.test(name) ? 2 : 1);
  const found: InterfaceAddress[] = [];
  for (const [name, infos] of Object.entries(interfaces)) {
    for (const info of infos ?? []) {
      if (info.family === 'IPv4' && !info.internal) found.push({ interface: name, address: info.address });
    }
  }
  // Array.prototype.sort is stable: within a rank the system's order stays.
  return found.sort((a, b) => rank(a.interface) - rank(b.interface));
}

/** Interfaces with a default route, from /proc/net/route (Linux); none elsewhere, which only loses the ranking. */
function readDefaultRouteInterfaces(): string[] {
  try {
    return fs
      .readFileSync('/proc/net/route', 'utf8')
      .split('\n')
      .slice(1)
      .map((line) => line.trim().split(/\s+/))
      .filter((cols) => cols[1] === '00000000' && cols[7] === '00000000')
      .map((cols) => cols[0]!);
  } catch {
    return [];
  }
}

/** `http://host:port` with IPv6 literals bracketed. */
export function httpBase(address: string, port: number): string {
  return `http://${address.includes(':') ? `[${address}]` : address}:${port}`;
}

/** `https://host:port`: where phones reach the bridge (the same port answers TLS). */
export function httpsBase(address: string, port: number): string {
  return `https://${address.includes(':') ? `[${address}]` : address}:${port}`;
}
