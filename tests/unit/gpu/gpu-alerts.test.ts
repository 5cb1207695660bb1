// Alert rules: utilization under X% for Y minutes, memory freed; once per episode; kept in a state file.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Gpu } from '../../../bridge/contracts/gpu.js';
import { emptyGpu } from '../../../bridge/gpu/gpu-csv.parser.js';
import { GpuAlerts, MAX_RULES_PER_USER } from '../../../bridge/gpu/gpu-alerts.js';

const dirs: string[] = [];
const dataDir = (): string => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigilink-gpu-alerts-'));
  dirs.push(dir);
  return dir;
};
afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

const gpus = (values: Partial<Gpu>): Gpu[] => [{ ...emptyGpu(0), uuid: 'GPU-0', name: 'Tesla T4', ...values }];
const sample = (at: number, values: Partial<Gpu>) => ({ userId: 'alice', sessionId: 'default', host: 'node1', at, gpus: gpus(values) });
const MIN = 60_000;

describe('utilization_below', () => {
  it('fires once after the utilization stayed under the threshold for the whole duration, re-arms when busy again', async () => {
    const alerts = new GpuAlerts(dataDir());
    await alerts.add('alice', { kind: 'utilization_below', session_id: 'default', gpu_index: 0, threshold_pct: 10, minutes: 2 });
    expect(alerts.evaluate(sample(0, { utilization_gpu_pct: 95 }))).toEqual([]);
    expect(alerts.evaluate(sample(1 * MIN, { utilization_gpu_pct: 3 }))).toEqual([]);
    // A null reading tells nothing: it neither resets nor fires.
    expect(alerts.evaluate(sample(2 * MIN, { utilization_gpu_pct: null }))).toEqual([]);
    expect(alerts.evaluate(sample(2.5 * MIN, { utilization_gpu_pct: 4 }))).toEqual([]);
    const [fired] = alerts.evaluate(sample(3 * MIN, { utilization_gpu_pct: 0 }));
    expect(fired).toMatchObject({
      type: 'gpu',
      kind: 'utilization_below',
      user_id: 'alice',
      session_id: 'default',
      host: 'node1',
      gpu_index: 0,
      gpu_uuid: 'GPU-0',
      value: 0,
      message: 'GPU 0 (Tesla T4) on node1: utilization under 10% for 2 min (now 0%): the job may have finished or died',
    });
    expect(alerts.evaluate(sample(10 * MIN, { utilization_gpu_pct: 0 }))).toEqual([]);
    alerts.evaluate(sample(11 * MIN, { utilization_gpu_pct: 50 }));
    alerts.evaluate(sample(12 * MIN, { utilization_gpu_pct: 1 }));
    expect(alerts.evaluate(sample(14 * MIN, { utilization_gpu_pct: 1 }))).toHaveLength(1);
    expect(alerts.firedFor('alice').map((a) => a.fired_at)).toEqual([new Date(14 * MIN).toISOString(), new Date(3 * MIN).toISOString()]);
  });

  it('a busy spell in between resets the clock', async () => {
    const alerts = new GpuAlerts(dataDir());
    await alerts.add('alice', { kind: 'utilization_below', session_id: 'default', gpu_index: 0, threshold_pct: 10, minutes: 2 });
    alerts.evaluate(sample(0, { utilization_gpu_pct: 1 }));
    alerts.evaluate(sample(1.5 * MIN, { utilization_gpu_pct: 10 }));
    expect(alerts.evaluate(sample(2.5 * MIN, { utilization_gpu_pct: 1 }))).toEqual([]);
    expect(alerts.evaluate(sample(4.5 * MIN, { utilization_gpu_pct: 1 }))).toHaveLength(1);
  });
});

describe('memory_freed', () => {
  it('fires when used memory falls under the limit after being over it, not when it starts under it', async () => {
    const alerts = new GpuAlerts(dataDir());
    await alerts.add('alice', { kind: 'memory_freed', session_id: 'default', gpu_index: 0, below_mib: 1024 });
    expect(alerts.evaluate(sample(0, { memory_used_mib: 20 }))).toEqual([]);
    expect(alerts.evaluate(sample(1, { memory_used_mib: 31000 }))).toEqual([]);
    const [fired] = alerts.evaluate(sample(2, { memory_used_mib: 12 }));
    expect(fired).toMatchObject({ kind: 'memory_freed', value: 12, message: 'GPU 0 (Tesla T4) on node1: memory freed (31000 MiB -> 12 MiB used, under 1024 MiB)' });
    expect(alerts.evaluate(sample(3, { memory_used_mib: 10 }))).toEqual([]);
  });

  it('only the rule\'s GPU, session and user count', async () => {
    const alerts = new GpuAlerts(dataDir());
    await alerts.add('alice', { kind: 'memory_freed', session_id: 'default', gpu_index: 1, below_mib: 1024 });
    alerts.evaluate(sample(0, { memory_used_mib: 5000 }));
    expect(alerts.evaluate(sample(1, { memory_used_mib: 1 }))).toEqual([]);
    expect(alerts.evaluate({ ...sample(2, { memory_used_mib: 1 }), userId: 'bob' })).toEqual([]);
  });
});

describe('rule storage', () => {
  it('persists rules (not progress) across a restart, and deletes them', async () => {
    const dir = dataDir();
    const alerts = new GpuAlerts(dir);
    const rule = await alerts.add('alice', { kind: 'utilization_below', session_id: 'gpu1', gpu_index: 2, threshold_pct: 5, minutes: 10 });
    expect(rule).toMatchObject({ id: expect.stringMatching(/^rule-[0-9a-f]{12}$/), user_id: 'alice', session_id: 'gpu1', gpu_index: 2, threshold_pct: 5, minutes: 10, last_fired_at: null });
    await alerts.flush();
    const file = JSON.parse(fs.readFileSync(path.join(dir, 'gpu-alert-rules.json'), 'utf8'));
    expect(file).toEqual({ version: 1, rules: [rule] });
    expect(fs.statSync(path.join(dir, 'gpu-alert-rules.json')).mode & 0o777).toBe(0o600);

    const again = new GpuAlerts(dir);
    expect(await again.list('alice')).toEqual([rule]);
    expect(again.countFor('alice', 'gpu1')).toBe(1);
    expect(await again.list('bob')).toEqual([]);
    await expect(again.remove('bob', rule.id)).rejects.toMatchObject({ kind: 'not_found' });
    await again.remove('alice', rule.id);
    expect(await again.list('alice')).toEqual([]);
  });

  it(`refuses more than ${MAX_RULES_PER_USER} rules per user`, async () => {
    const alerts = new GpuAlerts(dataDir());
    for (let i = 0; i < MAX_RULES_PER_USER; i++) await alerts.add('alice', { kind: 'memory_freed', session_id: 'default', gpu_index: 0, below_mib: 100 });
    await expect(alerts.add('alice', { kind: 'memory_freed', session_id: 'default', gpu_index: 0, below_mib: 100 })).rejects.toMatchObject({ kind: 'conflict' });
    await alerts.flush();
  });
});
