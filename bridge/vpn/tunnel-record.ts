// What the bridge holds about one user's tunnel between probes, and how a probe updates it.
import type { VpnState, VpnTunnelState } from '../contracts/vpn.js';
import { OPENCONNECT_RECONNECT_TIMEOUT_SECONDS, type TunnelRequest } from './openconnect-args.js';
import type { TunnelProbe } from './vpn-status.parser.js';
import { isUp } from './vpn-tunnel.js';

export const RECONNECT_FIRST_MS = 2_000;
export const RECONNECT_MAX_MS = 5 * 60_000;
export const RETRYING = `lost the VPN server; openconnect is retrying for up to ${OPENCONNECT_RECONNECT_TIMEOUT_SECONDS} s`;

export interface TunnelRecord {
  request: TunnelRequest;
  state: VpnTunnelState;
  ip: string | null;
  since: string | null;
  reason: string | null;
  logTail: string[];
  attempt: string | null;
  /** openconnect is being started: the start owns the state until it settles. */
  starting: boolean;
  /** openconnect's process was there at the last probe. */
  alive: boolean;
  /** Only with auto_reconnect, and only in memory: never logged, stored or sent. */
  password: string | null;
  reconnectDelayMs: number;
  reconnectTimer: NodeJS.Timeout | null;
}

export function newTunnel(request: TunnelRequest, password: string | null): TunnelRecord {
  return {
    request,
    state: 'connecting',
    ip: null,
    since: null,
    reason: null,
    logTail: [],
    attempt: null,
    starting: false,
    alive: false,
    password,
    reconnectDelayMs: RECONNECT_FIRST_MS,
    reconnectTimer: null,
  };
}

/** Set the tunnel to what the container reports; true when its state or address changed. */
export function applyProbe(tunnel: TunnelRecord, probe: TunnelProbe): boolean {
  const previous = `${tunnel.state} ${tunnel.ip}`;
  tunnel.alive = probe.pid !== null;
  if (isUp(probe)) {
    Object.assign(tunnel, { state: 'up', ip: probe.ip, since: (probe.upSince ?? new Date()).toISOString(), reason: null, logTail: [] });
  } else if (probe.pid !== null && probe.reconnecting) {
    // The tunnel carries nothing while openconnect looks for its server: that is down, not connecting.
    Object.assign(tunnel, { state: 'down', ip: null, since: null, reason: RETRYING });
  } else if (probe.pid !== null) {
    Object.assign(tunnel, { state: 'connecting', ip: probe.ip, reason: null });
  } else {
    Object.assign(tunnel, { state: 'down', ip: null, since: null });
  }
  return previous !== `${tunnel.state} ${tunnel.ip}`;
}

/** The tunnel as the API shows it; `lastFailure` stands in for the reason when there is no tunnel. */
export function tunnelView(tunnel: TunnelRecord | null, lastFailure: string | null): VpnState {
  return {
    state: tunnel?.state ?? 'none',
    ip: tunnel?.ip ?? null,
    server: tunnel?.request.server ?? null,
    since: tunnel?.since ?? null,
    reason: tunnel?.reason ?? lastFailure,
    log_tail: tunnel?.state === 'down' ? tunnel.logTail : [],
    auto_reconnect: (tunnel?.password ?? null) !== null,
  };
}
