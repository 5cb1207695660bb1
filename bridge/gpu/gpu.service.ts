// GPU monitoring of the hosts a user reaches (an SSH session, or the user's VPN container): one poller
// per session however many sockets watch it, snapshots for GET, history, alert rules. Routes and the
// socket adapter call only this.
import type { AlertRule, AlertRuleBody, FiredAlert, GpuHistoryResponse, GpuSnapshot, GpuUnwatchAck, GpuWatchAck, GpuWatchStatus } from '../contracts/gpu.js';
import { CONTAINER_SESSION_ID } from '../contracts/gpu.js';
import { AppError } from '../core/errors.js';
import type { ContainerPort } from '../core/container-port.js';
import type { Logger } from '../core/logger.js';
import type { SshSession } from '../ssh/ssh-session.js';
import type { SshSessionService } from '../ssh/ssh-sessions.js';
import type { GpuAlerts } from './gpu-alerts.js';
import { GpuLoops } from './gpu-loops.js';
import { GpuPoller, type SnapshotListener } from './gpu-poller.js';
import { HISTORY_STEP_MS } from './gpu-history.js';
import type { SampleOutcome } from './gpu-sample.parser.js';
import type { SampleMode } from './gpu-sample.script.js';
import { runSample, type GpuExecTarget } from './gpu-sampler.js';

/** Alert rules alone keep a session sampled this often: they judge minutes, not seconds. */
const GPU_RULE_INTERVAL_MS = 10_000;

export interface GpuServiceOptions {
  sessions: SshSessionService;
  /** Users' VPN containers, sampled as the session "container" (null: the bridge runs none). */
  containers: ContainerPort | null;
  alerts: GpuAlerts;
  logger: Logger;
  sampleTimeoutMs: number;
  ruleIntervalMs?: number;
  /** A rule fired: push it to the user's sockets. */
  onAlert(alert: FiredAlert): void;
  /** Watches or sampling health changed: push the user's state. */
  onStateChange(userId: string): void;
}

/** What a GPU call names, resolved: the session id pollers are keyed by, and the host it reaches. */
interface Resolved {
  userId: string;
  sessionId: string;
  host: string;
}

export class GpuService {
  private readonly pollers = new Map<string, Map<string, GpuPoller>>();
  /** Watched SSH sessions keep nvidia-smi running in its loop mode instead of starting it every sample. */
  private readonly loops: GpuLoops;

  constructor(private readonly options: GpuServiceOptions) {
    this.loops = new GpuLoops(options.sampleTimeoutMs, options.logger);
  }

  /** Load the rules and start polling the live sessions they cover. */
  async start(): Promise<void> {
    await this.options.alerts.load();
    for (const userId of new Set(this.options.alerts.sessionsWithRules().map((s) => s.userId))) this.reconcile(userId);
  }

  async close(): Promise<void> {
    this.loops.close();
    for (const user of this.pollers.values()) for (const poller of user.values()) poller.close();
    this.pollers.clear();
    await this.options.alerts.flush();
  }

  /** The session's GPUs now: recent data of a running poller, else a fresh sample (shared with one under way). */
  async snapshot(userId: string, sessionId?: string): Promise<GpuSnapshot> {
    return this.pollerFor(await this.resolve(userId, sessionId)).current();
  }

  async history(userId: string, sessionId: string | undefined, minutes: number, now = Date.now()): Promise<GpuHistoryResponse> {
    const poller = this.pollerFor(await this.resolve(userId, sessionId));
    return {
      user_id: userId,
      session_id: poller.sessionId,
      host: poller.host,
      minutes,
      step_ms: HISTORY_STEP_MS,
      gpus: poller.history.series(now - minutes * 60_000),
    };
  }

  async watch(userId: string, sessionId: string | undefined, watcherId: string, intervalMs: number, listener: SnapshotListener): Promise<GpuWatchAck> {
    const poller = this.pollerFor(await this.resolve(userId, sessionId));
    const snapshot = poller.lastSampleAge < Infinity ? poller.snapshot() : null;
    poller.watch(watcherId, intervalMs, listener);
    return { user_id: userId, session_id: poller.sessionId, interval_ms: intervalMs, snapshot };
  }

  /** Stop one watcher on one session, or (no session) on all of the user's sessions. */
  unwatch(userId: string, sessionId: string | undefined, watcherId: string): GpuUnwatchAck {
    const unwatched: string[] = [];
    for (const poller of this.pollers.get(userId)?.values() ?? []) {
      if ((sessionId === undefined || poller.sessionId === sessionId) && poller.unwatch(watcherId)) unwatched.push(poller.sessionId);
    }
    return { user_id: userId, unwatched };
  }

  /** A socket went away: drop its watches everywhere. */
  unwatchAll(watcherId: string): void {
    for (const user of this.pollers.values()) for (const poller of user.values()) poller.unwatch(watcherId);
  }

  async addRule(userId: string, body: AlertRuleBody): Promise<AlertRule> {
    const rule = await this.options.alerts.add(userId, body);
    this.reconcile(userId);
    return rule;
  }

  listRules(userId: string, sessionId?: string): Promise<AlertRule[]> {
    return this.options.alerts.list(userId, sessionId);
  }

  async deleteRule(userId: string, id: string): Promise<void> {
    await this.options.alerts.remove(userId, id);
    this.reconcile(userId);
  }

  firedAlerts(userId: string, sessionId?: string): FiredAlert[] {
    return this.options.alerts.firedFor(userId, sessionId);
  }

  /** Users with a watched or ruled session (for the owner's overview). */
  users(): string[] {
    const ruled = this.options.alerts.sessionsWithRules().map((s) => s.userId);
    const watched = [...this.pollers.keys()].filter((userId) => this.watchStatus(userId).sessions.length > 0);
    return [...new Set([...watched, ...ruled])];
  }

  watchStatus(userId: string): GpuWatchStatus {
    const sessions = [...(this.pollers.get(userId)?.values() ?? [])]
      .filter((poller) => poller.watcherCount > 0 || poller.rules > 0)
      .map((poller) => {
        const health = poller.health;
        return {
          session_id: poller.sessionId,
          watchers: poller.watcherCount,
          rules: poller.rules,
          polling: poller.polling,
          interval_ms: poller.intervalMs,
          sampled_at: health.sampledAt,
          stale: health.stale,
          error: health.error,
        };
      });
    return { sessions: sessions.sort((a, b) => a.session_id.localeCompare(b.session_id)) };
  }

  /**
   * Bring the user's pollers in line with their sessions and rules: sample live sessions that rules need,
   * pause (keeping watchers) on a dropped session, forget a disconnected one.
   */
  reconcile(userId: string): void {
    const { sessions, alerts } = this.options;
    for (const rule of alerts.sessionsWithRules()) {
      if (rule.userId !== userId) continue;
      if (rule.sessionId === CONTAINER_SESSION_ID) {
        // Whether the user has a container is an async question; a rule without one simply waits.
        this.resolve(userId, CONTAINER_SESSION_ID).then(
          (resolved) => this.pollerFor(resolved).setRuleCount(alerts.countFor(userId, CONTAINER_SESSION_ID)),
          () => undefined,
        );
        continue;
      }
      const live = liveSession(sessions, userId, rule.sessionId);
      if (live) this.pollerFor(resolvedSession(live));
    }
    const user = this.pollers.get(userId);
    if (!user) return;
    const listed = new Set(sessions.list(userId).map((s) => s.session_id));
    for (const [sessionId, poller] of user) {
      if (sessionId !== CONTAINER_SESSION_ID) {
        const live = liveSession(sessions, userId, sessionId);
        if (live) {
          poller.setActive(true, live.info.hostname);
        } else if (listed.has(sessionId)) {
          poller.setActive(false, poller.host, `SSH session '${sessionId}' is not active: reconnect it to resume GPU sampling`);
        } else {
          poller.close(`SSH session '${sessionId}' was disconnected`);
          this.loops.forget(poller);
          user.delete(sessionId);
          this.options.onStateChange(userId);
          continue;
        }
      }
      poller.setRuleCount(alerts.countFor(userId, sessionId));
    }
    if (!user.size) this.pollers.delete(userId);
  }

  /** What the caller named, or a 404 that says what is missing. */
  private async resolve(userId: string, sessionId: string | undefined): Promise<Resolved> {
    if (sessionId !== CONTAINER_SESSION_ID) return resolvedSession(this.options.sessions.require(userId, sessionId));
    const target = this.options.containers;
    if (!target) throw new AppError('not_found', 'This bridge runs no VPN containers, so there is no container to sample');
    const containerId = target.containerFor(userId);
    if (!containerId) throw new AppError('not_found', `User '${userId}' has no VPN container: connect the VPN first`);
    return { userId, sessionId, host: containerHost(containerId) };
  }

  /** Where the next sample of a poller runs, looked up afresh (the session may have dropped since). */
  private async execTarget(userId: string, sessionId: string): Promise<GpuExecTarget | string> {
    if (sessionId === CONTAINER_SESSION_ID) {
      const target = this.options.containers;
      const containerId = target?.containerFor(userId) ?? null;
      if (!target || !containerId) return `User '${userId}' has no VPN container any more`;
      return { exec: (command, options) => target.exec(containerId, command, options) };
    }
    return liveSession(this.options.sessions, userId, sessionId) ?? `SSH session '${sessionId}' is not active`;
  }

  private pollerFor({ userId, sessionId, host }: Resolved): GpuPoller {
    let user = this.pollers.get(userId);
    if (!user) this.pollers.set(userId, (user = new Map()));
    let poller = user.get(sessionId);
    if (poller) {
      poller.setActive(true, host);
      return poller;
    }
    const log = this.options.logger.child({ user_id: userId, session_id: sessionId, host });
    poller = new GpuPoller({
      userId,
      sessionId,
      host,
      ruleIntervalMs: this.options.ruleIntervalMs ?? GPU_RULE_INTERVAL_MS,
      sample: (mode) => this.sample(userId, sessionId, mode),
      onSample: (p, outcome, at) => {
        if (outcome.status === 'failed') log.debug({ event: 'gpu.sample_failed', error: outcome.error, timed_out: outcome.timedOut }, 'gpu sample failed');
        if (outcome.status !== 'ok') return;
        for (const alert of this.options.alerts.evaluate({ userId, sessionId, host: p.host, gpus: outcome.gpus, at })) {
          log.info({ event: 'gpu.alert', rule_id: alert.rule_id, kind: alert.kind, gpu_index: alert.gpu_index }, 'gpu alert fired');
          this.options.onAlert(alert);
        }
      },
      onStatusChange: (p) => {
        const health = p.health;
        this.loops.reconcile(p);
        log.info({ event: 'gpu.status', watchers: p.watcherCount, rules: p.rules, polling: p.polling, stale: health.stale, error: health.error }, 'gpu monitor status');
        this.options.onStateChange(userId);
      },
    });
    poller.setRuleCount(this.options.alerts.countFor(userId, sessionId));
    user.set(sessionId, poller);
    return poller;
  }

  private async sample(userId: string, sessionId: string, mode: SampleMode): Promise<SampleOutcome> {
    const target = await this.execTarget(userId, sessionId);
    if (typeof target === 'string') return { status: 'failed', error: target, timedOut: false, nextMode: mode };
    const poller = this.pollers.get(userId)?.get(sessionId);
    const looped = poller ? await this.loops.next(poller, target, mode) : null;
    return looped ?? runSample(target, mode, this.options.sampleTimeoutMs);
  }
}

function liveSession(sessions: SshSessionService, userId: string, sessionId: string): SshSession | null {
  const session = sessions.find(userId, sessionId);
  return session?.active ? session : null;
}

const resolvedSession = (session: SshSession): Resolved => ({ userId: session.info.userId, sessionId: session.info.sessionId, host: session.info.hostname });

const containerHost = (containerId: string): string => `vpn container ${containerId.slice(0, 12)}`;
