// Job alerts: the transition table, once per transition, and the last-seen states kept across a restart.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { SlurmJob } from '../../../bridge/contracts/slurm.js';
import { JobAlerts, transitionOf } from '../../../bridge/slurm/slurm-alerts.js';

const dirs: string[] = [];
const dataDir = (): string => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigilink-slurm-alerts-'));
  dirs.push(dir);
  return dir;
};
afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

const job = (job_id: string, state: string): SlurmJob => ({
  job_id,
  raw_job_id: Number(job_id.split('_')[0]),
  array_job_id: null,
  array_task_id: null,
  het_job_id: null,
  name: `job ${job_id}`,
  user: 'vltest',
  state,
  reason: null,
  partition: 'debug',
  nodes: null,
  gpus: { count: 0, nodes: [] },
  submit_time: null,
  start_time: null,
  end_time: null,
  elapsed_seconds: null,
  time_limit_seconds: null,
  work_dir: null,
  stdout_path: null,
  stderr_path: null,
  exit_code: null,
});

describe('transitionOf', () => {
  it.each([
    [undefined, 'RUNNING', 'started'],
    ['PENDING', 'RUNNING', 'started'],
    ['RUNNING', 'COMPLETED', 'completed'],
    ['RUNNING', 'FAILED', 'failed'],
    ['RUNNING', 'NODE_FAIL', 'failed'],
    ['RUNNING', 'TIMEOUT', 'timeout'],
    ['PENDING', 'CANCELLED', 'cancelled'],
    ['RUNNING', 'CANCELLED by 1000', 'cancelled'],
    ['RUNNING', 'OUT_OF_MEMORY', 'out_of_memory'],
    [undefined, 'COMPLETED', 'completed'],
    ['RUNNING', 'RUNNING', null],
    ['RUNNING', 'COMPLETING', null],
    ['COMPLETED', 'COMPLETED', null],
    ['CANCELLED', 'COMPLETED', null],
    [undefined, 'PENDING', null],
  ])('%s -> %s: %s', (before, after, kind) => {
    expect(transitionOf(before, after)).toBe(kind);
  });
});

describe('JobAlerts', () => {
  it('takes the first list as the baseline, then alerts once per transition', async () => {
    const alerts = new JobAlerts(dataDir());
    await alerts.load();
    expect(alerts.observe('alice', 'hpc', [job('1', 'RUNNING'), job('2', 'COMPLETED')]).transitions).toEqual([]);
    const next = alerts.observe('alice', 'hpc', [job('1', 'COMPLETED'), job('2', 'COMPLETED'), job('3', 'RUNNING')]);
    expect(next.transitions.map((t) => [t.job.job_id, t.kind])).toEqual([
      ['1', 'completed'],
      ['3', 'started'],
    ]);
    expect(alerts.observe('alice', 'hpc', [job('1', 'COMPLETED'), job('3', 'RUNNING')]).transitions).toEqual([]);
  });

  it('survives a restart without repeating, and still sees what changed meanwhile', async () => {
    const dir = dataDir();
    const first = new JobAlerts(dir);
    await first.load();
    first.observe('alice', 'hpc', [job('1', 'PENDING')]);
    first.observe('alice', 'hpc', [job('1', 'RUNNING')]);
    await first.flush();
    const second = new JobAlerts(dir);
    await second.load();
    expect(second.observe('alice', 'hpc', [job('1', 'RUNNING')]).transitions).toEqual([]);
    expect(second.observe('alice', 'hpc', [job('1', 'TIMEOUT')]).transitions.map((t) => t.kind)).toEqual(['timeout']);
    const saved = JSON.parse(fs.readFileSync(path.join(dir, 'slurm-jobs.json'), 'utf8'));
    expect(saved.sessions[0]).toMatchObject({ user_id: 'alice', session_id: 'hpc' });
  });

  it('reports running jobs that left the list unseen, and keeps ended ones as recently finished', async () => {
    const alerts = new JobAlerts(dataDir());
    await alerts.load();
    alerts.observe('alice', 'hpc', [job('1', 'RUNNING'), job('2', 'PENDING'), job('3', 'RUNNING')]);
    const { vanished } = alerts.observe('alice', 'hpc', [job('3', 'FAILED')]);
    expect(vanished).toEqual(['1']);
    expect(alerts.settle([{ job_id: '1', name: 'x', state: 'OUT_OF_MEMORY' }]).map((t) => t.kind)).toEqual(['out_of_memory']);
    expect(alerts.finished('alice', 'hpc').map((j) => j.job_id)).toEqual(['3']);
  });

  it('keeps users and sessions apart, "__proto__" included', async () => {
    const alerts = new JobAlerts(dataDir());
    await alerts.load();
    alerts.observe('__proto__', 'constructor', [job('1', 'RUNNING')]);
    alerts.observe('bob', 'constructor', [job('1', 'PENDING')]);
    expect(alerts.observe('bob', 'constructor', [job('1', 'RUNNING')]).transitions.map((t) => t.kind)).toEqual(['started']);
    const alert = alerts.toAlert({ job: job('1', 'RUNNING'), kind: 'started' }, { userId: 'bob', sessionId: 'constructor', host: 'login1' });
    expect(alert).toMatchObject({ type: 'slurm', kind: 'started', job_id: '1', message: 'Job 1 (job 1) on login1 started' });
  });
});
