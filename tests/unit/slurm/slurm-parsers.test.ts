// The Slurm parsers on real output of Debian's Slurm 22.05 (tests/fixtures/slurm-captures, captured from the
// test cluster): squeue --json, squeue -o with the unit separator, scontrol show job -d, sacct.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseSqueueJson } from '../../../bridge/slurm/slurm-json.parser.js';
import { parseSqueueFormat } from '../../../bridge/slurm/slurm-format.parser.js';
import { parsePairs, parseScontrolJob } from '../../../bridge/slurm/slurm-scontrol.parser.js';
import { parseSacct } from '../../../bridge/slurm/slurm-sacct.parser.js';

const CAPTURES = path.resolve(import.meta.dirname, '../../fixtures/slurm-captures');
const capture = (name: string): string => fs.readFileSync(path.join(CAPTURES, name), 'utf8');
const NOW = Date.parse('2026-11-30T04:47:30Z');

describe('squeue --json (22.05)', () => {
  const jobs = parseSqueueJson(capture('squeue-json-22.05-vltest-all-users.json'), 'vltest', NOW);
  const byId = new Map(jobs.map((job) => [job.job_id, job]));

  it("keeps only the user's jobs (22.05 lists everyone's despite --me)", () => {
    expect(jobs.map((job) => job.user)).not.toContain('vlother');
    expect([...byId.keys()].sort()).toEqual(['1', '2', '3_0', '3_1', '3_2', '4', '8', '9']);
  });

  it('a running GPU job: state, node, GPU indices from gres_detail, default output path filled in', () => {
    expect(byId.get('1')).toMatchObject({
      name: 'sleepy job',
      state: 'RUNNING',
      reason: null,
      nodes: 'node1',
      gpus: { count: 2, nodes: [{ node: 'node1', indices: [0, 1] }] },
      time_limit_seconds: null,
      end_time: null,
      work_dir: '/home/vltest',
      stdout_path: '/home/vltest/slurm-1.out',
      stderr_path: '/home/vltest/slurm-1.out',
      exit_code: null,
    });
    expect(byId.get('1')!.start_time).toBe(new Date(1796014031 * 1000).toISOString());
  });

  it('array tasks: <array>_<task> ids beside their own job ids, slurm-%A_%a.out', () => {
    expect(byId.get('3_0')).toMatchObject({ raw_job_id: 6, array_job_id: 3, array_task_id: '0', gpus: { nodes: [{ indices: [2] }] }, stdout_path: '/home/vltest/slurm-3_0.out' });
    expect(byId.get('3_2')).toMatchObject({ raw_job_id: 3, array_job_id: 3, array_task_id: '2', stdout_path: '/home/vltest/slurm-3_2.out' });
  });

  it('pending on resources: the reason, the GPUs asked for, no node', () => {
    expect(byId.get('4')).toMatchObject({ state: 'PENDING', reason: 'Resources', nodes: null, gpus: { count: 8, nodes: [] }, start_time: null, elapsed_seconds: null });
  });

  it('a failed job: its %x-%j pattern expanded, exit code 3', () => {
    expect(byId.get('2')).toMatchObject({ state: 'FAILED', stdout_path: '/home/vltest/fails-2.log', exit_code: '3:0' });
  });

  it('ended jobs: timeout, cancelled and completed with their end times', () => {
    const ended = new Map(parseSqueueJson(capture('squeue-json-22.05-ended.json'), 'vltest', NOW).map((job) => [job.job_id, job]));
    expect(ended.get('8')).toMatchObject({ state: 'TIMEOUT', time_limit_seconds: 60, elapsed_seconds: 60 });
    expect(ended.get('9')).toMatchObject({ state: 'CANCELLED', stdout_path: '/home/vltest/out/9_4294967294-vltest.txt', stderr_path: '/home/vltest/err-9.txt' });
    expect(ended.get('1')).toMatchObject({ state: 'COMPLETED', elapsed_seconds: 120, exit_code: '0:0' });
  });

  it('says so when there is no jobs list', () => {
    expect(() => parseSqueueJson('{"errors": []}', 'vltest')).toThrow(/no "jobs"/);
  });
});

describe('squeue -o (no JSON)', () => {
  const jobs = parseSqueueFormat(capture('squeue-format-22.05-vltest.txt'));
  const byId = new Map(jobs.map((job) => [job.job_id, job]));

  it('reads every field, array tasks and pending reasons included', () => {
    expect(jobs).toHaveLength(8);
    expect(byId.get('3_1')).toMatchObject({ raw_job_id: 7, array_job_id: 3, array_task_id: '1', state: 'RUNNING', gpus: { count: 1 }, elapsed_seconds: 17 });
    expect(byId.get('4')).toMatchObject({ state: 'PENDING', reason: 'Resources', gpus: { count: 8 }, nodes: null });
    expect(byId.get('8')).toMatchObject({ name: 'limit', time_limit_seconds: 60, reason: 'Priority' });
    expect(byId.get('1')).toMatchObject({ name: 'sleepy job', time_limit_seconds: null, work_dir: '/home/vltest', end_time: null });
  });

  it('refuses a line with the wrong number of fields rather than shifting them', () => {
    expect(() => parseSqueueFormat('1\x1f2\n')).toThrow(/2 fields/);
  });
});

describe('scontrol show job -d', () => {
  it('a running job: GPU indices per node from the -d line, names with spaces', () => {
    const job = parseScontrolJob(capture('scontrol-show-job-d-1.txt'), NOW);
    expect(job).toMatchObject({
      job_id: '1',
      name: 'sleepy job',
      user: 'vltest',
      state: 'RUNNING',
      partition: 'debug',
      nodes: 'node1',
      gpus: { count: 2, nodes: [{ node: 'node1', indices: [0, 1] }] },
      elapsed_seconds: 18,
      time_limit_seconds: null,
      stdout_path: '/home/vltest/slurm-1.out',
      exit_code: null,
    });
  });

  it('an array task, a pending job, a timed-out and a cancelled one', () => {
    expect(parseScontrolJob(capture('scontrol-show-job-d-3_2.txt'))).toMatchObject({ job_id: '3_2', raw_job_id: 3, gpus: { nodes: [{ indices: [4] }] } });
    expect(parseScontrolJob(capture('scontrol-show-job-d-4.txt'))).toMatchObject({ state: 'PENDING', reason: 'Resources', nodes: null, gpus: { count: 8, nodes: [] } });
    expect(parseScontrolJob(capture('scontrol-show-job-d-8-timeout.txt'))).toMatchObject({ state: 'TIMEOUT', time_limit_seconds: 60, gpus: { nodes: [] } });
    expect(parseScontrolJob(capture('scontrol-show-job-d-9-cancelled.txt'))).toMatchObject({ state: 'CANCELLED', stdout_path: '/home/vltest/out/9_4294967294-vltest.txt' });
  });

  it('splits pairs at the next key, so values keep their spaces', () => {
    expect(parsePairs('JobId=1 JobName=a b=c d WorkDir=/x y')).toEqual([
      ['JobId', '1'],
      ['JobName', 'a b=c d'],
      ['WorkDir', '/x y'],
    ]);
  });
});

describe('sacct -P', () => {
  it('reads final states; a job name holding the separator stays whole', () => {
    expect(parseSacct('12|train|x|COMPLETED|0:0|2026-11-30T04:00:00|2026-11-30T04:10:00\n13|oom|OUT_OF_MEMORY|0:125|2026-11-30T04:00:00|Unknown\n')).toEqual([
      { job_id: '12', name: 'train|x', state: 'COMPLETED', exit_code: '0:0', start_time: new Date('2026-11-30T04:00:00').toISOString(), end_time: new Date('2026-11-30T04:10:00').toISOString() },
      { job_id: '13', name: 'oom', state: 'OUT_OF_MEMORY', exit_code: '0:125', start_time: new Date('2026-11-30T04:00:00').toISOString(), end_time: null },
    ]);
  });

  it('the real answer of a cluster without accounting is not mistaken for jobs', () => {
    expect(() => parseSacct(capture('sacct-disabled.txt'))).toThrow(/fields/);
  });
});
