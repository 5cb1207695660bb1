// The per-session poller with its sampler stubbed (a promise the test settles by hand): no overlapping
// samples, sampling only on demand, stale data with its age after a failure, watcher throttling.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { GpuSnapshot } from '../../../bridge/contracts/gpu.js';
import { emptyGpu } from '../../../bridge/gpu/gpu-csv.parser.js';
import { GpuPoller } from '../../../bridge/gpu/gpu-poller.js';
import type { SampleOutcome } from '../../../bridge/gpu/gpu-sample.parser.js';

const ok = (utilization: number): SampleOutcome => ({ status: 'ok', source: 'query', nextMode: 'query', gpus: [{ ...emptyGpu(0), uuid: 'GPU-0', utilization_gpu_pct: utilization }] });

/** A sampler stub: each call waits until the test answers it. */
function stubSampler() {
  const pending: Array<(outcome: SampleOutcome) => void> = [];
  let calls = 0;
  let running = 0;
  let maxRunning = 0;
  return {
    sample: () =>
      new Promise<SampleOutcome>((resolve) => {
        calls++;
        running++;
        maxRunning = Math.max(maxRunning, running);
        pending.push((outcome) => {
          running--;
          resolve(outcome);
        });
      }),
    answer(outcome: SampleOutcome) {
      const next = pending.shift();
      if (!next) throw new Error('no sample is waiting');
      next(outcome);
    },
    get calls() {
      return calls;
    },
    get waiting() {
      return pending.length;
    },
    get maxRunning() {
      return maxRunning;
    },
  };
}

// Fake timers throughout: the schedule is checked on the poller's own clock, not on a loaded machine's.
const tick = (ms: number) => vi.advanceTimersByTimeAsync(ms);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const pollers: GpuPoller[] = [];
beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  for (const poller of pollers.splice(0)) poller.close();
  vi.useRealTimers();
});

function makePoller(sampler: ReturnType<typeof stubSampler>, ruleIntervalMs = 60_000) {
  const events: string[] = [];
  const poller = new GpuPoller({
    userId: 'alice',
    sessionId: 'default',
    host: 'node1',
    ruleIntervalMs,
    sample: sampler.sample,
    onSample: (_p, outcome) => events.push(`sample:${outcome.status}`),
    onStatusChange: () => events.push('status'),
  });
  pollers.push(poller);
  return { poller, events };
}

describe('GpuPoller', () => {
  it('does not sample without demand; a watcher starts it at once and every interval after', async () => {
    const sampler = stubSampler();
    const { poller } = makePoller(sampler);
    await tick(50);
    expect(sampler.calls).toBe(0);
    const seen: GpuSnapshot[] = [];
    poller.watch('socket-1', 100, (s) => seen.push(s));
    await tick(0);
    expect(sampler.calls).toBe(1);
    sampler.answer(ok(50));
    // The next lands on the poller's phase of the 100 ms grid: within 1.75 intervals of the first.
    await tick(175);
    expect(sampler.calls).toBe(2);
    sampler.answer(ok(60));
    await tick(0);
    expect(seen.map((s) => s.gpus[0]!.utilization_gpu_pct)).toEqual([50, 60]);
    poller.unwatch('socket-1');
    await tick(500);
    expect(sampler.calls).toBe(2);
    expect(poller.polling).toBe(false);
  });

  it('never overlaps samples on a slow host: the next waits for the previous to settle', async () => {
    const sampler = stubSampler();
    const { poller } = makePoller(sampler);
    poller.watch('socket-1', 20, () => undefined);
    await tick(200);
    expect(sampler.calls).toBe(1);
    // Several GETs meanwhile share the sample under way.
    const gets = [poller.sampleNow(), poller.sampleNow()];
    expect(sampler.calls).toBe(1);
    sampler.answer(ok(1));
    await Promise.all(gets);
    await tick(40);
    expect(sampler.maxRunning).toBe(1);
    expect(sampler.calls).toBe(2);
  });

  it('after a failed sample serves the last good data as stale with its age; a definite "no GPUs" is not stale', async () => {
    const sampler = stubSampler();
    const { poller } = makePoller(sampler);
    const first = poller.sampleNow();
    sampler.answer(ok(70));
    await first;
    await tick(1100);
    const second = poller.sampleNow();
    sampler.answer({ status: 'failed', error: 'nvidia-smi did not answer within 10 s (the driver may be wedged)', timedOut: true, nextMode: 'query' });
    await second;
    const stale = poller.snapshot();
    expect(stale).toMatchObject({ stale: true, source: 'query', error: 'nvidia-smi did not answer within 10 s (the driver may be wedged)' });
    expect(stale.gpus[0]!.utilization_gpu_pct).toBe(70);
    expect(stale.age_seconds).toBeGreaterThanOrEqual(1);
    const third = poller.sampleNow();
    sampler.answer({ status: 'no_gpus', error: 'nvidia-smi found no NVIDIA GPUs on this host', nextMode: 'query' });
    await third;
    expect(poller.snapshot()).toMatchObject({ stale: false, gpus: [], error: 'nvidia-smi found no NVIDIA GPUs on this host' });
  });

  it('a failure before any good sample: no data, not stale, the error', async () => {
    const sampler = stubSampler();
    const { poller } = makePoller(sampler);
    const pending = poller.sampleNow();
    sampler.answer({ status: 'failed', error: 'boom', timedOut: false, nextMode: 'query' });
    await pending;
    expect(poller.snapshot()).toMatchObject({ sampled_at: null, stale: false, age_seconds: null, gpus: [], error: 'boom' });
  });

  it('rules alone keep it sampling at the rule interval; the fastest watcher wins', async () => {
    const sampler = stubSampler();
    const { poller } = makePoller(sampler, 5000);
    poller.setRuleCount(1);
    expect(poller.intervalMs).toBe(5000);
    poller.watch('a', 2000, () => undefined);
    poller.watch('b', 500, () => undefined);
    expect(poller.intervalMs).toBe(500);
    poller.unwatch('b');
    expect(poller.intervalMs).toBe(2000);
    poller.unwatch('a');
    poller.setRuleCount(0);
    expect(poller.intervalMs).toBeNull();
    // Demand came and went within one turn: nothing was sampled.
    await tick(10);
    expect(sampler.calls).toBe(0);
    poller.setRuleCount(2);
    await tick(10);
    expect(sampler.calls).toBe(1);
    sampler.answer(ok(1));
    await tick(50);
    expect(sampler.calls).toBe(1);
  });

  it('a slow watcher beside a fast one gets only its share; a throwing listener hurts nobody', async () => {
    const sampler = stubSampler();
    const { poller } = makePoller(sampler);
    const fast: number[] = [];
    const slow: number[] = [];
    poller.watch('fast', 30, (s) => fast.push(s.gpus[0]!.utilization_gpu_pct!));
    poller.watch('slow', 1000, (s) => slow.push(s.gpus[0]!.utilization_gpu_pct!));
    poller.watch('broken', 30, () => {
      throw new Error('socket gone');
    });
    for (let i = 1; i <= 4; i++) {
      await tick(40);
      sampler.answer(ok(i));
    }
    await tick(5);
    expect(fast).toEqual([1, 2, 3, 4]);
    expect(slow).toEqual([1]);
  });

  it('samples at once for a new watcher, then on a fixed phase of the interval\'s clock grid', async () => {
    const starts: number[] = [];
    const poller = new GpuPoller({
      userId: 'alice',
      sessionId: 'grid',
      host: 'node1',
      ruleIntervalMs: 60_000,
      sample: async () => {
        starts.push(Date.now());
        await sleep(30);
        return ok(1);
      },
      onSample: () => undefined,
      onStatusChange: () => undefined,
    });
    pollers.push(poller);
    const watched = Date.now();
    poller.watch('w', 400, () => undefined);
    await tick(1500);
    poller.unwatch('w');
    expect(starts[0]! - watched).toBeLessThan(50);
    const later = starts.slice(1);
    expect(later.length).toBeGreaterThanOrEqual(2);
    const phases = later.map((t) => t % 400);
    // Same phase each time (timers may fire a little late), spaced by the interval.
    for (const phase of phases) expect(Math.abs(phase - phases[0]!)).toBeLessThan(60);
    for (let i = 1; i < later.length; i++) expect(later[i]! - later[i - 1]!).toBeGreaterThan(300);
  });

  it('a session that drops keeps its watchers, tells them, and stops sampling until it is back', async () => {
    const sampler = stubSampler();
    const { poller } = makePoller(sampler);
    const seen: GpuSnapshot[] = [];
    poller.watch('w', 30, (s) => seen.push(s));
    await tick(5);
    sampler.answer(ok(9));
    await tick(5);
    poller.setActive(false, 'node1', 'SSH session is not active');
    expect(seen.at(-1)).toMatchObject({ error: 'SSH session is not active' });
    await tick(100);
    expect(sampler.calls).toBe(1);
    poller.setActive(true, 'node1');
    await tick(10);
    expect(sampler.calls).toBe(2);
    expect(poller.watcherCount).toBe(1);
    sampler.answer(ok(9));
  });
});
