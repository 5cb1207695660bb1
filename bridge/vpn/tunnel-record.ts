// What the bridge holds about one user's tunnel between probes, and every change to it: the named
// transitions below are the only code that writes a TunnelRecord.
import type { VpnState, VpnTunnelState } from '../contracts/vpn.js';
import { OPENCONNECT_RECONNECT_TIMEOUT_SECONDS, type TunnelRequest } from './openconnect-args.js';
import type { TunnelProbe } from './vpn-status.parser.js';
import { isUp } from './vpn-tunnel.js';

export const RETRYING = `lost the VPN server; openconnect is retrying for up to ${OPENCONNECT_RECONNECT_TIMEOUT_SECONDS} s`;

export interface TunnelRecord {
  readonly request: TunnelRequest;
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
}

/** The steps of a login that the user sees (vpn-login.ts reports them). */
export type LoginStep = Extract<VpnTunnelState, 'authenticating' | 'needs_answer' | 'connecting'>;

/** Why a tunnel is down, as read from openconnect's log. */
export interface DownCause {
  reason: string;
  logTail: string[];
}

export function newTunnel(request: TunnelRequest, password: string | null): TunnelRecord {
  return { request, state: 'connecting', ip: null, since: null, reason: null, logTail: [], attempt: null, starting: false, alive: false, password };
}

/** A tunnel found running in a container a previous bridge process started: no request details kept, no password. */
export function adoptedTunnel(server: string, probe: TunnelProbe): TunnelRecord {
  const tunnel = newTunnel({ server, protocol: 'anyconnect' }, null);
  tunnel.attempt = probe.attempt;
  applyProbe(tunnel, probe);
  return tunnel;
}

export function markStarting(tunnel: TunnelRecord): void {
  tunnel.starting = true;
}

export function markStartSettled(tunnel: TunnelRecord): void {
  tunnel.starting = false;
}

/** The start whose log and probe lines belong to this tunnel now. */
export function markAttempt(tunnel: TunnelRecord, attempt: string): void {
  tunnel.attempt = attempt;
}

export function markLoginStep(tunnel: TunnelRecord, step: LoginStep): void {
  tunnel.state = step;
}

/** An auto-reconnect begins its login. */
export function markReconnecting(tunnel: TunnelRecord): void {
  tunnel.state = 'authenticating';
  tunnel.reason = 'reconnecting';
}

/** A start failed: nothing carries traffic, and the cause is shown. */
export function markDown(tunnel: TunnelRecord, cause: DownCause): void {
  setLink(tunnel, 'down', null, null);
  explainDown(tunnel, cause);
}

/** Give a tunnel that is down the cause its log names. */
export function explainDown(tunnel: TunnelRecord, cause: DownCause): void {
  tunnel.reason = cause.reason;
  tunnel.logTail = cause.logTail;
}

/** Retrying cannot help (the login was refused, or wants a code nobody gave): forget the password. */
export function stopAutoReconnect(tunnel: TunnelRecord, loginProblem: string): void {
  tunnel.password = null;
  tunnel.reason = `auto-reconnect stopped: ${loginProblem}`;
}

/** At shutdown credentials do not outlive the process's use of them. */
export function forgetPassword(tunnel: TunnelRecord): void {
  tunnel.password = null;
}

/** Set the tunnel to what the container reports; true when its state or address changed. */
export function applyProbe(tunnel: TunnelRecord, probe: TunnelProbe): boolean {
  const previous = `${tunnel.state} ${tunnel.ip}`;
  tunnel.alive = probe.pid !== null;
  if (isUp(probe)) markUp(tunnel, probe.ip!, probe.upSince ?? new Date());
  // The tunnel carries nothing while openconnect looks for its server: that is down, not connecting.
  else if (probe.pid !== null && probe.reconnecting) markRetrying(tunnel);
  else if (probe.pid !== null) markConnecting(tunnel, probe.ip);
  else setLink(tunnel, 'down', null, null);
  return previous !== `${tunnel.state} ${tunnel.ip}`;
}

function markUp(tunnel: TunnelRecord, ip: string, since: Date): void {
  setLink(tunnel, 'up', ip, since.toISOString());
  tunnel.reason = null;
  tunnel.logTail = [];
}

function markRetrying(tunnel: TunnelRecord): void {
  setLink(tunnel, 'down', null, null);
  tunnel.reason = RETRYING;
}

/** openconnect runs but the tunnel has no address yet; `since` stays as it was. */
function markConnecting(tunnel: TunnelRecord, ip: string | null): void {
  tunnel.state = 'connecting';
  tunnel.ip = ip;
  tunnel.reason = null;
}

function setLink(tunnel: TunnelRecord, state: VpnTunnelState, ip: string | null, since: string | null): void {
  tunnel.state = state;
  tunnel.ip = ip;
  tunnel.since = since;
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
