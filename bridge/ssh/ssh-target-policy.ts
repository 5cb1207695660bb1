// Where a paired device may open SSH connections from the workstation: not to the workstation itself
// (loopback, link-local, unspecified, its own interface addresses), so a phone cannot scan or reach
// services that only listen locally. Names are resolved here and the connection goes to the checked
// address, so DNS cannot answer differently between the check and the connect.
import dns from 'node:dns/promises';
import net from 'node:net';
import os from 'node:os';
import { AppError } from '../core/errors.js';
import { normaliseConnectError } from './ssh-connect.js';

/** How the policy sees the workstation's network (real in the bridge, chosen in tests). */
export interface WorkstationNetwork {
  /** Every address a name resolves to, as the connection would. */
  resolve(hostname: string): Promise<string[]>;
  /** The workstation's own interface addresses, read at each check (interfaces come and go). */
  ownAddresses(): string[];
}

export const systemNetwork: WorkstationNetwork = {
  resolve: async (hostname) => (await dns.lookup(hostname, { all: true, verbatim: true })).map((entry) => entry.address),
  ownAddresses: () => Object.values(os.networkInterfaces()).flatMap((list) => (list ?? []).map((entry) => entry.address)),
};

/** Addresses that are the workstation whatever its interfaces are. */
const ALWAYS_LOCAL = new net.BlockList();
ALWAYS_LOCAL.addSubnet('127.0.0.0', 8, 'ipv4'); // loopback
ALWAYS_LOCAL.addSubnet('0.0.0.0', 8, 'ipv4'); // "this host": 0.0.0.0 reaches the loopback on Linux
ALWAYS_LOCAL.addSubnet('169.254.0.0', 16, 'ipv4'); // link-local (and cloud metadata services)
ALWAYS_LOCAL.addAddress('::1', 'ipv6');
ALWAYS_LOCAL.addAddress('::', 'ipv6');
ALWAYS_LOCAL.addSubnet('fe80::', 10, 'ipv6');

/** An IPv4-mapped IPv6 address (::ffff:127.0.0.1) as the IPv4 address it reaches. */
function unmapped(address: string): string {
  const lower = address.toLowerCase().replace(/%.*$/, '');
  const dotted = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(lower);
  if (dotted) return dotted[1]!;
  const hex = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(lower);
  if (!hex) return lower;
  const [high, low] = [parseInt(hex[1]!, 16), parseInt(hex[2]!, 16)];
  return [high >> 8, high & 255, low >> 8, low & 255].join('.');
}

export interface SshTargetPolicyOptions {
  /** VIGILINK_DEVICE_LOCAL_TARGETS: the owner lets devices reach the workstation's own addresses. */
  allowDeviceLocalTargets: boolean;
  network: WorkstationNetwork;
}

export class SshTargetPolicy {
  constructor(private readonly options: SshTargetPolicyOptions) {}

  /** True when `address` is the workstation itself. */
  isWorkstationAddress(address: string): boolean {
    const plain = unmapped(address);
    const family = net.isIP(plain);
    if (family === 0) return false;
    if (ALWAYS_LOCAL.check(plain, family === 4 ? 'ipv4' : 'ipv6')) return true;
    return this.options.network.ownAddresses().some((own) => unmapped(own) === plain);
  }

  /**
   * The address a device's connection to `hostname` must use, or null when the owner allows local
   * targets (the connection then resolves the name itself, as the owner's do).
   */
  async deviceAddress(hostname: string, port: number, field: string): Promise<string | null> {
    if (this.options.allowDeviceLocalTargets) return null;
    let addresses: string[];
    try {
      addresses = await this.options.network.resolve(hostname.replace(/^\[(.*)\]$/, '$1'));
    } catch (error) {
      throw normaliseConnectError(error as Error, `${hostname}:${port}`);
    }
    // Every answer is checked: a name with one public and one loopback address is refused too.
    const local = addresses.find((address) => this.isWorkstationAddress(address));
    if (local !== undefined) {
      throw new AppError(
        'forbidden',
        `${field}: '${hostname}' is the workstation itself (${local}): paired devices may not open SSH connections to its loopback, ` +
          'link-local or own addresses. The owner can allow it with VIGILINK_DEVICE_LOCAL_TARGETS=1.',
      );
    }
    if (!addresses[0]) throw new AppError('upstream_failed', `Unknown host: ${hostname} could not be resolved`);
    return addresses[0];
  }
}
