// The argv that starts openconnect in a user's container. Every value is its own argv element (or the
// part after `=` of one); the server comes after `--`, so nothing a caller sends can become an option.
import type { VPN_PROTOCOLS } from '../contracts/vpn.js';

export const VPN_SCRIPT = '/usr/local/bin/vigilink-vpn';

export interface TunnelRequest {
  server: string;
  username?: string | undefined;
  protocol: (typeof VPN_PROTOCOLS)[number];
  servercert?: string | undefined;
  authgroup?: string | undefined;
}

/** openconnect keeps retrying a lost server itself for this long before it gives up and exits. */
export const OPENCONNECT_RECONNECT_TIMEOUT_SECONDS = 10;

/** `vigilink-vpn auth SERVER [options]`: the login step; the script adds --authenticate and `-- SERVER`. */
export function authTunnelArgv(request: TunnelRequest): string[] {
  const argv = [VPN_SCRIPT, 'auth', request.server, `--protocol=${request.protocol}`];
  if (request.username) argv.push(`--user=${request.username}`);
  if (request.servercert) argv.push(`--servercert=${request.servercert}`);
  if (request.authgroup) argv.push(`--authgroup=${request.authgroup}`);
  return argv;
}

/** `vigilink-vpn start ATTEMPT SERVER [options]`; the script adds --non-inter, --cookie-on-stdin and `-- SERVER`. */
export function startTunnelArgv(request: TunnelRequest, attempt: string): string[] {
  const argv = [VPN_SCRIPT, 'start', attempt, request.server, `--protocol=${request.protocol}`];
  if (request.username) argv.push(`--user=${request.username}`);
  if (request.servercert) argv.push(`--servercert=${request.servercert}`);
  if (request.authgroup) argv.push(`--authgroup=${request.authgroup}`);
  argv.push(`--reconnect-timeout=${OPENCONNECT_RECONNECT_TIMEOUT_SECONDS}`);
  return argv;
}

export const stopTunnelArgv = (): string[] => [VPN_SCRIPT, 'stop'];
export const probeTunnelArgv = (): string[] => [VPN_SCRIPT, 'status'];
