// Supervises each user's tunnel once it is asked for: starts it (login, then openconnect), reads every probe
// for a drop, and with auto-reconnect retries after a drop on a doubling, capped delay until a login problem
// makes retrying pointless. Tunnel state changes only through tunnel-record.ts.
import type { Logger } from '../core/logger.js';
import type { LoginTarget } from './vpn-login.js';
import type { TunnelProbe } from './vpn-status.parser.js';
import type { StartedTunnel, TunnelFailure } from './vpn-tunnel.js';
import {
  applyProbe,
  explainDown,
  forgetPassword,
  markAttempt,
  markDown,
  markLoginStep,
  markReconnecting,
  markStarting,
  markStartSettled,
  RETRYING,
  stopAutoReconnect,
  type LoginStep,
  type TunnelRecord,
} from './tunnel-record.js';
import type { UserGate } from './user-gate.js';

/** What the supervisor needs of a user's container record. */
export interface TunnelHolder {
  readonly userId: string;
  readonly containerId: string;
  tunnel: TunnelRecord | null;
}

/** Where tunnels are really started and their logs read (openconnect in the container: vpn-login.ts). */
export interface TunnelBoundary {
  /** Log in and start openconnect, reporting each login step the user sees. */
  start(target: LoginTarget, reportStep: (step: LoginStep) => void): Promise<StartedTunnel>;
  /** Why an attempt ended, from the container's log. */
  readFailure(containerId: string, attempt: string): Promise<TunnelFailure>;
}

export interface ReconnectBackoff {
  firstMs: number;
  maxMs: number;
}

const RECONNECT_BACKOFF: ReconnectBackoff = { firstMs: 2_000, maxMs: 5 * 60_000 };

export interface TunnelSupervisorOptions {
  tunnels: TunnelBoundary;
  /** A reconnect waits its turn behind the user's connect and disconnect. */
  gate: UserGate;
  logger: Logger;
  backoff?: ReconnectBackoff;
  /** Whether the holder is still the user's (a disconnect or a new connect replaces it). */
  isCurrent(holder: TunnelHolder): boolean;
  /** The user's tunnel state changed: push it. */
  changed(userId: string): void;
  /** openconnect that this process started has exited: probe at once rather than at the next health round. */
  exited(userId: string): Promise<unknown>;
}

/** The next reconnect of one tunnel: its delay doubles with each failure and resets with a success. */
interface PendingRetry {
  delayMs: number;
  timer: NodeJS.Timeout | null;
}

export class TunnelSupervisor {
  private readonly retries = new Map<TunnelRecord, PendingRetry>();
  private readonly backoff: ReconnectBackoff;
  private closed = false;

  constructor(private readonly options: TunnelSupervisorOptions) {
    this.backoff = options.backoff ?? RECONNECT_BACKOFF;
  }

  /** Log in, start openconnect for the holder's tunnel and apply the outcome; returns the failure, if any. */
  async start(holder: TunnelHolder, password: string, reconnect: boolean): Promise<TunnelFailure | null> {
    const tunnel = holder.tunnel!;
    const { userId, containerId } = holder;
    const log = this.options.logger.child({ user_id: userId });
    markStarting(tunnel);
    let started: StartedTunnel;
    try {
      started = await this.options.tunnels.start({ userId, containerId, tunnel, password, reconnect }, (step) => this.loginStep(holder, tunnel, step));
    } finally {
      markStartSettled(tunnel);
    }
    if (holder.tunnel !== tunnel) return null;
    markAttempt(tunnel, started.attempt);
    if (!started.outcome.ok) {
      markDown(tunnel, started.outcome);
      log.warn({ event: 'vpn.connect_failed', reason: started.outcome.reason }, 'vpn connect failed');
      this.options.changed(userId);
      return started.outcome;
    }
    if (applyProbe(tunnel, started.outcome.probe)) this.options.changed(userId);
    this.retries.delete(tunnel);
    log.info({ event: 'vpn.up', ip: tunnel.ip, server: tunnel.request.server }, 'vpn tunnel up');
    // This process started openconnect, so it hears its exit at once rather than at the next probe.
    void started.exited.then(async () => {
      if (this.closed || holder.tunnel?.attempt !== started.attempt) return;
      await this.options.exited(userId).catch((error: unknown) => log.warn({ event: 'vpn.probe_failed', err: error }, 'vpn probe failed'));
    });
    return null;
  }

  private loginStep(holder: TunnelHolder, tunnel: TunnelRecord, step: LoginStep): void {
    if (holder.tunnel !== tunnel) return;
    markLoginStep(tunnel, step);
    this.options.changed(holder.userId);
  }

  /** Apply a probe of the holder's tunnel; one that has just gone down gets its cause and, once openconnect gave up, a retry. */
  async observe(holder: TunnelHolder, tunnel: TunnelRecord, probe: TunnelProbe): Promise<void> {
    const before = tunnel.state;
    const wasAlive = tunnel.alive;
    if (applyProbe(tunnel, probe)) this.options.changed(holder.userId);
    const exitedNow = wasAlive && !tunnel.alive;
    if (tunnel.state !== 'down' || (before === 'down' && !exitedNow)) return;
    const failure = await this.options.tunnels.readFailure(holder.containerId, tunnel.attempt ?? '');
    explainDown(tunnel, { reason: tunnel.alive ? RETRYING : failure.reason, logTail: failure.logTail });
    this.options.logger.warn({ event: 'vpn.down', user_id: holder.userId, reason: tunnel.reason }, 'vpn tunnel went down');
    this.options.changed(holder.userId);
    // While openconnect retries by itself the bridge waits; once it has given up, auto-reconnect takes over.
    if (!tunnel.alive) this.scheduleRetry(holder, failure.loginProblem);
  }

  private scheduleRetry(holder: TunnelHolder, loginProblem: string | null): void {
    const tunnel = holder.tunnel;
    if (!tunnel || tunnel.password === null || this.closed) return;
    if (loginProblem) {
      stopAutoReconnect(tunnel, loginProblem);
      this.retries.delete(tunnel);
      this.options.changed(holder.userId);
      return;
    }
    const retry = this.retries.get(tunnel) ?? { delayMs: this.backoff.firstMs, timer: null };
    this.retries.set(tunnel, retry);
    const delay = retry.delayMs;
    retry.delayMs = Math.min(delay * 2, this.backoff.maxMs);
    this.options.logger.info({ event: 'vpn.reconnect_scheduled', user_id: holder.userId, in_ms: delay }, 'vpn reconnect scheduled');
    retry.timer = setTimeout(() => {
      retry.timer = null;
      void this.reconnect(holder, tunnel).catch((error: unknown) =>
        this.options.logger.warn({ event: 'vpn.reconnect_failed', user_id: holder.userId, err: error }, 'vpn reconnect failed'),
      );
    }, delay);
    retry.timer.unref();
  }

  private reconnect(holder: TunnelHolder, tunnel: TunnelRecord): Promise<void> {
    return this.options.gate.lock(holder.userId, async () => {
      if (this.closed || !this.options.isCurrent(holder) || holder.tunnel !== tunnel || tunnel.password === null) return;
      markReconnecting(tunnel);
      this.options.changed(holder.userId);
      const failure = await this.start(holder, tunnel.password, true);
      if (failure) this.scheduleRetry(holder, failure.loginProblem);
    });
  }

  /** Drop the holder's pending retry and its backoff (its tunnel is being replaced or removed). */
  cancelRetry(holder: TunnelHolder): void {
    const tunnel = holder.tunnel;
    if (!tunnel) return;
    const retry = this.retries.get(tunnel);
    if (retry?.timer) clearTimeout(retry.timer);
    this.retries.delete(tunnel);
  }

  /** Shutdown: no more retries, and the passwords kept for them go. */
  close(holders: Iterable<TunnelHolder>): void {
    this.closed = true;
    for (const holder of holders) {
      this.cancelRetry(holder);
      if (holder.tunnel) forgetPassword(holder.tunnel);
    }
  }
}
