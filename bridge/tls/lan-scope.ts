// What a workstation on a LAN can be called: the private address ranges and local names that the local
// CA's name constraints permit, and the checks that keep a leaf's names inside them.
import net from 'node:net';

/**
 * Private and local address ranges: RFC 1918, the shared CGNAT range Tailscale uses (100.64.0.0/10),
 * loopback, link-local and IPv6 unique-local (fc00::/7). None of them is ever a public site.
 */
export const PERMITTED_RANGES: readonly string[] = [
  '10.0.0.0/8',
  '172.16.0.0/12',
  '192.168.0.0/16',
  '100.64.0.0/10',
  '127.0.0.0/8',
  '169.254.0.0/16',
  '::1/128',
  'fc00::/7',
  'fe80::/10',
];

/**
 * DNS suffixes no public site can have: `localhost`, mDNS `.local` (any host name, so a renamed
 * workstation stays inside), `home.arpa` (RFC 8375) and `internal` (reserved for private use in 2024).
 */
export const LOCAL_DNS_SUFFIXES: readonly string[] = ['localhost', 'local', 'home.arpa', 'internal'];

const blockList = new net.BlockList();
for (const range of PERMITTED_RANGES) {
  const [address, prefix] = range.split('/') as [string, string];
  blockList.addSubnet(address, Number(prefix), net.isIPv6(address) ? 'ipv6' : 'ipv4');
}

/** True for an address inside one of PERMITTED_RANGES (an IPv4-mapped IPv6 address counts as its IPv4). */
export function isPermittedAddress(address: string): boolean {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return blockList.check(mapped[1]!, 'ipv4');
  if (net.isIPv4(address)) return blockList.check(address, 'ipv4');
  if (net.isIPv6(address)) return blockList.check(address, 'ipv6');
  return false;
}

/** Lower-case, without a trailing dot; null for something that is not a DNS name. */
export function normalizeDnsName(name: string): string | null {
  const lower = name.trim().toLowerCase().replace(/\.$/, '');
  return /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/.test(lower) ? lower : null;
}

/** True when `name` equals one of the constraint bases or lies below it (RFC 5280's dNSName rule). */
export function dnsNameWithin(name: string, bases: readonly string[]): boolean {
  return bases.some((base) => name === base || name.endsWith(`.${base}`));
}

/** Loopback peers (127.0.0.0/8, ::1, and 127.x mapped into IPv6) may use plain HTTP; nobody else. */
export function isLoopbackAddress(address: string | undefined): boolean {
  if (!address) return false;
  const v4 = /^(?:::ffff:)?(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1];
  if (v4) return net.isIPv4(v4) && v4.startsWith('127.');
  return address === '::1';
}

/**
 * A peer on this machine: loopback, or a connection whose source is the very address it reached (only
 * this machine can complete a TCP handshake from its own address), as when the desktop window loads
 * from the one LAN address VIGILINK_HOST names.
 */
export function isThisMachine(remote: string | undefined, local: string | undefined): boolean {
  return isLoopbackAddress(remote) || (remote !== undefined && remote !== '' && remote === local);
}
