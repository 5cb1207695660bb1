// One session's job list: the last good read, and the poller that reads it once per interval while someone
// watches or a job the bridge saw is still pending or running (so "tell me when it ends" needs no open
// phone). Reads never overlap: however many sockets watch, one squeue per interval.
import type { SlurmJob, SlurmJobsResponse } from '../contracts/slurm.js';
import { errorMessage } from '../core/errors.js';
import { isEnded } from './slurm-values.js';

export type ListOutcome =
  | { status: 'ok'; jobs: SlurmJob[]; source: 'json' | 'format' }
  | { status: 'no_slurm'; error: string }
  | { status: 'failed'; error: string; timedOut: boolean };

export type JobsListener = (jobs: SlurmJobsResponse) => void;

interface SlurmPollerOptions {
  userId: string;
  sessionId: string;
  host: string;
  intervalMs: number;
  read(): Promise<ListOutcome>;
  /** After every good read, before watchers hear of it: alerts, the finished list. */
  onList(poller: SlurmPoller, jobs: SlurmJob[]): Promise<SlurmJob[]>;
  now?: () => number;
}

export class SlurmPoller {
  host: string;
  private readonly watchers = new Map<string, JobsListener>();
  private lastGood: { at: number; jobs: SlurmJob[]; source: 'json' | 'format' } | null = null;
  private last: ListOutcome | null = null;
  private lastSent = '';
  private inFlight: Promise<void> | null = null;
  private lastStartedAt = -Infinity;
  private timer: NodeJS.Timeout | null = null;
  private active = true;
  private closed = false;
  private readonly now: () => number;

  constructor(private readonly options: SlurmPollerOptions) {
    this.host = options.host;
    this.now = options.now ?? Date.now;
  }

  get sessionId(): string {
    return this.options.sessionId;
  }

  get intervalMs(): number {
    return this.options.intervalMs;
  }

  get watcherCount(): number {
    return this.watchers.size;
  }

  /** Slurm is missing on the host: the reason, else null. */
  get missingSlurm(): string | null {
    return this.last?.status === 'no_slurm' ? this.last.error : null;
  }

  /**
   * The list now: what the last read gave if it started within the interval (a failed one: the last good
   * list, stale), else a fresh read (shared with one under way).
   */
  async current(): Promise<SlurmJobsResponse> {
    if (this.inFlight) await this.inFlight;
    else if (!this.last || this.now() - this.lastStartedAt >= this.options.intervalMs) await this.poll();
    return this.response();
  }

  /** Read now (after a cancel: the change shows at once, not an interval later). */
  refresh(): void {
    if (!this.closed && this.active) void this.poll();
  }

  watch(watcherId: string, listener: JobsListener): void {
    this.watchers.set(watcherId, listener);
    this.schedule();
  }

  unwatch(watcherId: string): boolean {
    return this.watchers.delete(watcherId);
  }

  setActive(active: boolean, host: string): void {
    this.host = host;
    this.active = active;
    if (active) this.schedule();
    else this.clearTimer();
  }

  close(): void {
    this.closed = true;
    this.watchers.clear();
    this.clearTimer();
  }

  response(): SlurmJobsResponse {
    const { userId, sessionId } = this.options;
    const last = this.last;
    const stale = last !== null && last.status !== 'ok';
    return {
      user_id: userId,
      session_id: sessionId,
      host: this.host,
      source: this.lastGood?.source ?? null,
      fetched_at: this.lastGood ? new Date(this.lastGood.at).toISOString() : null,
      stale,
      ...(last && last.status !== 'ok' ? { error: last.error } : {}),
      jobs: this.lastGood?.jobs ?? [],
    };
  }

  /** Someone still needs reads: a watcher, or a job that has not ended yet. */
  private get needed(): boolean {
    return this.watchers.size > 0 || (this.lastGood?.jobs.some((job) => !isEnded(job.state)) ?? false);
  }

  private poll(): Promise<void> {
    this.clearTimer();
    return (this.inFlight ??= this.readOnce().finally(() => {
      this.inFlight = null;
      this.schedule();
    }));
  }

  private async readOnce(): Promise<void> {
    this.lastStartedAt = this.now();
    try {
      const outcome = await this.options.read();
      const at = this.now();
      this.last = outcome;
      if (outcome.status === 'ok') {
        const jobs = await this.options.onList(this, outcome.jobs);
        this.lastGood = { at, jobs, source: outcome.source };
      }
    } catch (error) {
      // A timer started this read: nothing may escape it (an unhandled rejection would end the process).
      this.last = { status: 'failed', error: errorMessage(error), timedOut: false };
    }
    this.push();
  }

  /** Watchers hear a list when it (or its health) changed, not on every read. */
  private push(): void {
    const response = this.response();
    const { fetched_at: _fetched, ...comparable } = response;
    const signature = JSON.stringify({ ...comparable, jobs: comparable.jobs.map(({ elapsed_seconds: _e, ...job }) => job) });
    if (signature === this.lastSent) return;
    this.lastSent = signature;
    for (const listener of this.watchers.values()) listener(response);
  }

  private schedule(): void {
    if (this.closed || !this.active || this.timer || this.inFlight || !this.needed || this.missingSlurm) return;
    // Reads start one interval apart (a slow squeue does not stretch the period); a failed one waits a whole interval.
    const sinceStart = this.now() - this.lastStartedAt;
    const wait = this.last?.status === 'ok' ? Math.max(0, this.options.intervalMs - sinceStart) : this.last ? this.options.intervalMs : 0;
    this.timer = setTimeout(() => {
      this.timer = null;
      if (this.needed) void this.poll();
    }, wait);
    this.timer.unref?.();
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}
