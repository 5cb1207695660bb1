// SSH through a user's VPN container: ssh2's transport is the stdin/stdout of `socat - TCP:host:port`
// run by docker exec in the container (like an OpenSSH ProxyCommand), so the connection leaves from the
// container's tunnel and nothing is published on the workstation.
import type { Duplex } from 'node:stream';
import { AppError } from '../core/errors.js';
import type { ContainerDriver } from './container-driver.js';

// socat's address syntax treats ',' '!' and spaces specially; the SSH contract's host names never hold them.
const SAFE_HOST = /^[A-Za-z0-9.-]+$|^\[?[0-9A-Fa-f:.]+\]?$/;

/** argv for socat; IPv6 literals go in brackets so their colons are not read as separators. */
export function socatArgv(host: string, port: number): string[] {
  if (!SAFE_HOST.test(host)) throw new AppError('invalid', `hostname: '${host}' is not a host name or IP address`);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new AppError('invalid', 'port: must be 1-65535');
  const target = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
  return ['socat', '-', `TCP:${target}:${port}`];
}

// socat's stderr -> the errno ssh-connect.ts already turns into a clear message.
const SOCAT_ERRORS: Array<[RegExp, string]> = [
  [/Connection refused/i, 'ECONNREFUSED'],
  [/No route to host/i, 'EHOSTUNREACH'],
  [/Network is unreachable/i, 'ENETUNREACH'],
  [/timed out/i, 'ETIMEDOUT'],
  [/Name or service not known|Temporary failure in name resolution|getaddrinfo/i, 'ENOTFOUND'],
  [/Connection reset/i, 'ECONNRESET'],
];

/** socat failed before any byte came back: an Error with the errno code its message shows. */
export function socatFailure(stderr: string): Error | null {
  for (const [pattern, code] of SOCAT_ERRORS) {
    if (pattern.test(stderr)) return Object.assign(new Error(`through the VPN container: ${stderr.trim().split('\n').pop()}`), { code });
  }
  return stderr.trim() ? new Error(`through the VPN container: ${stderr.trim().split('\n').pop()}`) : null;
}

export async function openSocatStream(driver: ContainerDriver, containerId: string, host: string, port: number): Promise<Duplex> {
  const opened = await driver.openExec(containerId, socatArgv(host, port), { asUser: true, failure: socatFailure });
  return opened.stream;
}
