// One session's GPU monitor: its last readings, its history, and the poller that samples while someone
// needs it (socket watchers, alert rules). Samples never overlap: the next one is scheduled only after the
// previous has settled, so a slow or wedged host is sampled at most once per timeout.
import crypto from 'node:crypto';
import type { Gpu, GpuSnapshot } from '../contracts/gpu.js';
import { GPU_MIN_INTERVAL_MS } from '../contracts/gpu.js';
import { errorMessage } from '../core/errors.js';
import { GpuHistory } from './gpu-history.js';
import type { SampleOutcome } from './gpu-sample.parser.js';
import type { SampleMode } from './gpu-sample.script.js';

export type SnapshotListener = (snapshot: GpuSnapshot) => void;

/** How early (as a share of the interval) a sample may start to land on the grid; watchers tolerate the same. */
const GRID_SLACK = 0.25;
/** Sessions are spread over this many phases of the interval (by a hash of user and session). */
const GRID_PHASES = 8;

interface Watcher {
  intervalMs: number;
  listener: SnapshotListener;
  lastSentAt: number;
}

export interface GpuPollerOptions {
  userId: string;
  sessionId: string;
  host: string;
  /** Run one sample on the session as it is now. */
  sample(mode: SampleMode): Promise<SampleOutcome>;
  /** How often alert rules alone keep a session sampled. */
  ruleIntervalMs: number;
  /** After every sample (history is already recorded): alerts, status. */
  onSample(poller: GpuPoller, outcome: SampleOutcome, at: number): void;
  /** Watchers, rules, activity or health changed: the user's state should be pushed. */
  onStatusChange(poller: GpuPoller): void;
  now?: () => number;
}

export class GpuPoller {
  history = new GpuHistory();
  host: string;
  private readonly watchers = new Map<string, Watcher>();
  private ruleCount = 0;
  private active = true;
  private closed = false;
  private mode: SampleMode = 'query';
  private inFlight: Promise<void> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private lastStartedAt = -Infinity;
  private last: { at: number; outcome: SampleOutcome } | null = null;
  private lastGood: { at: number; gpus: Gpu[]; source: SampleMode } | null = null;
  private readonly now: () => number;

  private readonly phaseSlot: number;

  constructor(private readonly options: GpuPollerOptions) {
    this.host = options.host;
    this.now = options.now ?? Date.now;
    this.phaseSlot = crypto.createHash('sha1').update(`${options.userId}\0${options.sessionId}`).digest()[0]! % GRID_PHASES;
  }

  get userId(): string {
    return this.options.userId;
  }

  get sessionId(): string {
    return this.options.sessionId;
  }

  get watcherCount(): number {
    return this.watchers.size;
  }

  get rules(): number {
    return this.ruleCount;
  }

  /** The interval demand asks for: the fastest watcher, or the rule interval; null when nobody needs samples. */
  get intervalMs(): number | null {
    let interval = this.ruleCount > 0 ? this.options.ruleIntervalMs : Infinity;
    for (const watcher of this.watchers.values()) interval = Math.min(interval, watcher.intervalMs);
    return interval === Infinity ? null : interval;
  }

  get polling(): boolean {
    return this.active && !this.closed && this.intervalMs !== null;
  }

  get sampling(): boolean {
    return this.inFlight !== null;
  }

  /** Milliseconds since the last sample settled (Infinity before the first). */
  get lastSampleAge(): number {
    return this.last ? this.now() - this.last.at : Infinity;
  }

  watch(id: string, intervalMs: number, listener: SnapshotListener): void {
    this.watchers.set(id, { intervalMs, listener, lastSentAt: -Infinity });
    this.schedule();
    this.options.onStatusChange(this);
  }

  unwatch(id: string): boolean {
    const had = this.watchers.delete(id);
    if (had) {
      this.schedule();
      this.options.onStatusChange(this);
    }
    return had;
  }

  setRuleCount(count: number): void {
    if (count === this.ruleCount) return;
    this.ruleCount = count;
    this.schedule();
    this.options.onStatusChange(this);
  }

  /** The session dropped (inactive: keep watchers, stop sampling) or came back (maybe to another host). */
  setActive(active: boolean, host: string, reason?: string): void {
    if (host !== this.host) {
      // Another machine behind the same session id: its past is not this one's.
      this.host = host;
      this.history = new GpuHistory();
      this.mode = 'query';
      this.last = null;
      this.lastGood = null;
    }
    if (active === this.active) return;
    this.active = active;
    this.schedule();
    if (!active && reason) this.tell(reason);
    this.options.onStatusChange(this);
  }

  /** One sample now, shared with one already under way (never two at once on a session). */
  sampleNow(): Promise<void> {
    if (this.inFlight) return this.inFlight;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.lastStartedAt = this.now();
    this.inFlight = this.options
      .sample(this.mode)
      .catch((error: unknown): SampleOutcome => ({ status: 'failed', error: errorMessage(error), timedOut: false, nextMode: this.mode }))
      .then((outcome) => this.settle(outcome))
      .finally(() => {
        this.inFlight = null;
        this.schedule();
      });
    return this.inFlight;
  }

  /** The current picture for a GET: recent enough data as it is, else a fresh sample. */
  async current(): Promise<GpuSnapshot> {
    const recentMs = this.polling ? Math.max(this.intervalMs! * 2, GPU_MIN_INTERVAL_MS) : GPU_MIN_INTERVAL_MS;
    if (this.last && (this.lastSampleAge < recentMs || (this.polling && this.sampling))) return this.snapshot();
    await this.sampleNow();
    return this.snapshot();
  }

  snapshot(): GpuSnapshot {
    const base = { user_id: this.userId, session_id: this.sessionId, host: this.host };
    const last = this.last;
    const now = this.now();
    const age = (at: number): number => Math.max(0, Math.round(now - at) / 1000);
    if (!last) return { ...base, sampled_at: null, stale: false, age_seconds: null, source: null, gpus: [] };
    const { outcome } = last;
    if (outcome.status === 'ok') {
      return { ...base, sampled_at: new Date(last.at).toISOString(), stale: false, age_seconds: age(last.at), source: outcome.source, gpus: outcome.gpus };
    }
    if (outcome.status === 'no_gpus') {
      return { ...base, sampled_at: new Date(last.at).toISOString(), stale: false, age_seconds: age(last.at), source: null, gpus: [], error: outcome.error };
    }
    const good = this.lastGood;
    return {
      ...base,
      sampled_at: good ? new Date(good.at).toISOString() : null,
      stale: good !== null,
      age_seconds: good ? age(good.at) : null,
      source: good?.source ?? null,
      gpus: good?.gpus ?? [],
      error: outcome.error,
    };
  }

  /** A short health line for the user's state: null when the last sample was fine. */
  get health(): { stale: boolean; error: string | null; sampledAt: string | null } {
    const snapshot = this.snapshot();
    return { stale: snapshot.stale, error: snapshot.error ?? null, sampledAt: snapshot.sampled_at };
  }

  /** Tell watchers something out of band (the session dropped), then forget them. */
  close(lastWords?: string): void {
    if (this.closed) return;
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (lastWords) this.tell(lastWords);
    this.watchers.clear();
  }

  /** Every watcher gets the current data with `error` saying what happened. */
  private tell(error: string): void {
    const snapshot = { ...this.snapshot(), error };
    for (const watcher of this.watchers.values()) deliver(watcher, snapshot);
  }

  private settle(outcome: SampleOutcome): void {
    const at = this.now();
    const before = this.healthKey();
    this.mode = outcome.nextMode;
    this.last = { at, outcome };
    if (outcome.status === 'ok') {
      this.lastGood = { at, gpus: outcome.gpus, source: outcome.source };
      this.history.record(at, outcome.gpus);
    } else if (outcome.status === 'no_gpus') {
      this.lastGood = null;
    }
    this.options.onSample(this, outcome, at);
    if (this.watchers.size) {
      const snapshot = this.snapshot();
      for (const watcher of this.watchers.values()) {
        // A 2 s watcher beside a 500 ms one gets every fourth sample, not all of them.
        if (at - watcher.lastSentAt >= watcher.intervalMs * (1 - GRID_SLACK)) {
          watcher.lastSentAt = at;
          deliver(watcher, snapshot);
        }
      }
    }
    if (this.healthKey() !== before) this.options.onStatusChange(this);
  }

  private healthKey(): string {
    const last = this.last?.outcome;
    return last ? `${last.status}:${last.status === 'ok' ? '' : last.error}` : 'none';
  }

  private schedule(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (!this.polling || this.inFlight) return;
    const interval = this.intervalMs!;
    const now = this.now();
    const due = this.lastStartedAt + interval;
    // After the first sample, samples fall on a clock grid: the pollers of one of GRID_PHASES phases wake
    // together, so the bridge handles their SSH packets and socket writes in shared event-loop turns
    // instead of one wake-up each (about a third less CPU per sample in bench/gpu.bench.ts), while the
    // phases keep each burst to a fraction of the sessions. The slack keeps a timer that fired a little
    // late from skipping a whole beat.
    const phase = (this.phaseSlot * interval) / GRID_PHASES;
    const aligned = Math.ceil((due - phase - interval * GRID_SLACK) / interval) * interval + phase;
    const delay = due === -Infinity ? 0 : Math.max(0, aligned - now);
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.sampleNow();
    }, delay);
  }
}

function deliver(watcher: Watcher, snapshot: GpuSnapshot): void {
  try {
    watcher.listener(snapshot);
  } catch {
    // A listener is a socket emit; one that throws must not stop the others or the poller.
  }
}
