// DNS rebinding and cross-origin sockets: a request's Host must name this bridge (its loopback, its
// hostname, its interface addresses, its public URL and TLS names, and names the owner allows), and a
// browser's socket.io connection must come from the bridge's own origin or one VIGILINK_CORS_ORIGINS lists.
import os from 'node:os';

export interface HostCheckOptions {
  /** VIGILINK_PUBLIC_URL (its host is ours), or null. */
  publicUrl: string | null;
  tlsNames: readonly string[];
  allowedHosts: readonly string[];
  /** The interfaces' addresses now (they change with DHCP and VPNs): read again when a name is not known. */
  interfaceAddresses?: () => string[];
  hostname?: () => string;
}

const LOOPBACK_NAMES = ['localhost', '::1'];

/** The host part of a Host header (or a URL's host), lowercased, without port, brackets or a trailing dot. */
export function hostOf(header: string): string | null {
  const trimmed = header.trim().toLowerCase();
  const bracketed = /^\[([0-9a-f:.]+)\](?::\d+)?$/.exec(trimmed);
  if (bracketed) return bracketed[1]!;
  const plain = /^([a-z0-9._-]+)(?::\d+)?$/.exec(trimmed);
  if (!plain) return null;
  return plain[1]!.replace(/\.$/, '');
}

function allInterfaceAddresses(): string[] {
  return Object.values(os.networkInterfaces())
    .flat()
    .flatMap((info) => (info ? [info.address.toLowerCase()] : []));
}

export class HostCheck {
  private readonly fixed: ReadonlySet<string>;
  private addresses: ReadonlySet<string>;
  private readonly readAddresses: () => string[];

  constructor(options: HostCheckOptions) {
    const hostname = (options.hostname ?? os.hostname)().toLowerCase();
    const named = [...LOOPBACK_NAMES, hostname, `${hostname}.local`, ...options.tlsNames, ...options.allowedHosts];
    if (options.publicUrl) named.push(new URL(options.publicUrl).host);
    this.fixed = new Set(named.map((name) => hostOf(name)).filter((name): name is string => name !== null));
    this.readAddresses = options.interfaceAddresses ?? allInterfaceAddresses;
    this.addresses = new Set(this.readAddresses());
  }

  /** Whether a Host header names this bridge. No header (HTTP/1.0 tools) cannot come from a rebound page. */
  allows(header: string | undefined): boolean {
    if (header === undefined) return true;
    const host = hostOf(header);
    if (host === null) return false;
    if (this.fixed.has(host) || /^127(\.\d{1,3}){3}$/.test(host) || this.addresses.has(host)) return true;
    this.addresses = new Set(this.readAddresses());
    return this.addresses.has(host);
  }
}

/**
 * Whether a socket.io handshake's Origin may connect: none (a non-browser client), the page's own origin
 * (the same host and port as the Host header it was sent to), or one of VIGILINK_CORS_ORIGINS.
 */
export function socketOriginAllowed(origin: string | undefined, hostHeader: string | undefined, corsOrigins: readonly string[]): boolean {
  if (origin === undefined) return true;
  if (corsOrigins.includes(origin)) return true;
  try {
    const url = new URL(origin);
    if ((url.protocol !== 'http:' && url.protocol !== 'https:') || hostHeader === undefined) return false;
    // Parsed the same way, so a default port written out (`:80`) compares equal to one left out.
    return url.host === new URL(`${url.protocol}//${hostHeader.trim()}`).host;
  } catch {
    return false;
  }
}
