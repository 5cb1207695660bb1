// The per-session job poller with its squeue read stubbed and the clock faked: one read per interval however
// many watch, never two at once, the last good list served stale after a failure, watchers told on change only.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { SlurmJob, SlurmJobsResponse } from '../../../bridge/contracts/slurm.js';
import { SlurmPoller, type ListOutcome } from '../../../bridge/slurm/slurm-poller.js';

const job = (state: string): SlurmJob =>
  ({ job_id: '7', raw_job_id: 7, array_job_id: null, array_task_id: null, het_job_id: null, name: 'x', user: 'u', state, reason: null, partition: null, nodes: null, gpus: { count: 0, nodes: [] }, submit_time: null, start_time: null, end_time: null, elapsed_seconds: 1, time_limit_seconds: null, work_dir: null, stdout_path: null, stderr_path: null, exit_code: null }) as SlurmJob;

function poller(read: () => Promise<ListOutcome>) {
  return new SlurmPoller({ userId: 'alice', sessionId: 'hpc', host: 'login1', intervalMs: 15_000, read, onList: async (_p, jobs) => jobs });
}

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe('SlurmPoller', () => {
  it('reads once per interval however many watch, and never twice at once', async () => {
    let calls = 0;
    let running = 0;
    let maxRunning = 0;
    const p = poller(async () => {
      calls++;
      maxRunning = Math.max(maxRunning, ++running);
      await new Promise((resolve) => setTimeout(resolve, 2000));
      running--;
      return { status: 'ok', jobs: [job('RUNNING')], source: 'json' };
    });
    for (let i = 0; i < 50; i++) p.watch(`socket${i}`, () => undefined);
    await Promise.all([p.current(), p.current(), vi.advanceTimersByTimeAsync(2000)]);
    expect(calls).toBe(1);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(calls).toBe(5);
    expect(maxRunning).toBe(1);
    p.close();
  });

  it('serves the last good list marked stale when a read fails, and fresh again after', async () => {
    const outcomes: ListOutcome[] = [
      { status: 'ok', jobs: [job('RUNNING')], source: 'json' },
      { status: 'failed', error: 'squeue did not answer within 10 s', timedOut: true },
      { status: 'ok', jobs: [job('COMPLETED')], source: 'json' },
    ];
    const p = poller(async () => outcomes.shift()!);
    expect((await p.current()).stale).toBe(false);
    await vi.advanceTimersByTimeAsync(15_000);
    const stale = await p.current();
    expect(stale).toMatchObject({ stale: true, error: 'squeue did not answer within 10 s', jobs: [{ state: 'RUNNING' }] });
    await vi.advanceTimersByTimeAsync(15_000);
    expect(await p.current()).toMatchObject({ stale: false, jobs: [{ state: 'COMPLETED' }] });
    expect(p.response().error).toBeUndefined();
    p.close();
  });

  it('tells watchers when the list changes, not on every read; stops reading when nothing needs it', async () => {
    let state = 'RUNNING';
    let calls = 0;
    const p = poller(async () => (calls++, { status: 'ok', jobs: [job(state)], source: 'json' }));
    const heard: SlurmJobsResponse[] = [];
    p.watch('s1', (list) => heard.push(list));
    await vi.advanceTimersByTimeAsync(45_000);
    expect(heard).toHaveLength(1);
    state = 'COMPLETED';
    await vi.advanceTimersByTimeAsync(15_000);
    expect(heard.map((l) => l.jobs[0]!.state)).toEqual(['RUNNING', 'COMPLETED']);
    p.unwatch('s1');
    const before = calls;
    await vi.advanceTimersByTimeAsync(60_000);
    // Nobody watches and every job has ended: no more reads.
    expect(calls).toBe(before);
    p.close();
  });

  it('a read that throws is a failed read, not a crash', async () => {
    let calls = 0;
    const p = poller(async () => {
      if (calls++ === 1) throw new Error('channel refused');
      return { status: 'ok', jobs: [job('RUNNING')], source: 'json' };
    });
    p.watch('s1', () => undefined);
    await p.current();
    await vi.advanceTimersByTimeAsync(15_000);
    expect(p.response()).toMatchObject({ stale: true, error: 'channel refused', jobs: [{ state: 'RUNNING' }] });
    await vi.advanceTimersByTimeAsync(15_000);
    expect(p.response().stale).toBe(false);
    p.close();
  });

  it('stops for good on a host without Slurm', async () => {
    let calls = 0;
    const p = poller(async () => (calls++, { status: 'no_slurm', error: 'Slurm was not found on login1' }));
    p.watch('s1', () => undefined);
    await p.current();
    expect(p.missingSlurm).toBe('Slurm was not found on login1');
    await vi.advanceTimersByTimeAsync(60_000);
    expect(calls).toBe(1);
    p.close();
  });
});
