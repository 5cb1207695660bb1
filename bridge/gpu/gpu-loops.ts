// Which watched sessions sample in loop mode: one GpuLoop per poller while sockets watch it (CSV, or -q -x
// for hosts on the XML fallback), restarted when the interval or the mode changes, stopped when the last
// watcher leaves; hosts whose nvidia-smi refuses the loop (or ends it at once) go back to one exec per sample.
import type { Logger } from '../core/logger.js';
import { GpuLoop, isStreamTarget } from './gpu-loop.js';
import type { GpuPoller } from './gpu-poller.js';
import type { SampleOutcome } from './gpu-sample.parser.js';
import type { SampleMode } from './gpu-sample.script.js';
import type { GpuExecTarget } from './gpu-sampler.js';

/** A loop that ended after it worked (a driver restart, a dropped channel) is tried again after this long. */
const RETRY_AFTER_MS = 30_000;

export class GpuLoops {
  private readonly loops = new Map<GpuPoller, GpuLoop>();
  /** Pollers whose last loop ended, and when: unavailable for good when it never delivered a round. */
  private readonly ended = new Map<GpuPoller, { at: number; worked: boolean; mode: SampleMode }>();

  constructor(
    private readonly sampleTimeoutMs: number,
    private readonly logger: Logger,
    private readonly now: () => number = Date.now,
  ) {}

  /** A round from the poller's loop (starting one if it should run); null: sample with an exec this time. */
  next(poller: GpuPoller, target: GpuExecTarget, mode: SampleMode): Promise<SampleOutcome | null> {
    const intervalMs = poller.intervalMs;
    if (!isStreamTarget(target) || !this.wanted(poller) || intervalMs === null) return Promise.resolve(null);
    let loop = this.loops.get(poller);
    if (loop && (loop.intervalMs !== intervalMs || loop.mode !== mode)) {
      this.stop(poller, loop.mode !== mode ? 'the host went to the XML fallback' : 'the watch interval changed');
      loop = undefined;
    }
    if (!loop) {
      // A loop of the other mode that ended says nothing about this one (a rejected CSV field ends the CSV loop).
      const ended = this.ended.get(poller);
      if (ended?.mode === mode && (!ended.worked || this.now() - ended.at < RETRY_AFTER_MS)) return Promise.resolve(null);
      loop = new GpuLoop({ target, mode, intervalMs, timeoutMs: this.sampleTimeoutMs, onEnd: (l, why) => this.onEnd(poller, l, why) });
      this.loops.set(poller, loop);
    }
    return loop.next();
  }

  /** Watchers or activity changed: a loop nobody watches any more stops now, not at its next sample. */
  reconcile(poller: GpuPoller): void {
    if (!this.wanted(poller)) this.stop(poller, 'nobody watches');
  }

  /** The poller is gone (session disconnected): forget it. */
  forget(poller: GpuPoller): void {
    this.stop(poller, 'the session went away');
    this.ended.delete(poller);
  }

  close(): void {
    for (const poller of [...this.loops.keys()]) this.stop(poller, 'the bridge is stopping');
  }

  /** A stop on purpose: out of the map first, so onEnd does not count it as the loop failing. */
  private stop(poller: GpuPoller, why: string): void {
    const loop = this.loops.get(poller);
    this.loops.delete(poller);
    loop?.close(why);
  }

  private wanted(poller: GpuPoller): boolean {
    return poller.polling && poller.watcherCount > 0;
  }

  private onEnd(poller: GpuPoller, loop: GpuLoop, why: string): void {
    if (this.loops.get(poller) !== loop) return;
    this.loops.delete(poller);
    this.ended.set(poller, { at: this.now(), worked: loop.batches > 0, mode: loop.mode });
    this.logger.debug({ event: 'gpu.loop_ended', user_id: poller.userId, session_id: poller.sessionId, rounds: loop.batches, why }, 'gpu loop ended');
  }
}
