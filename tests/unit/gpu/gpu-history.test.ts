// The history ring: bounded, one point per step, null for missing readings, wraps without losing order.
import { describe, expect, it } from 'vitest';
import type { Gpu } from '../../../bridge/contracts/gpu.js';
import { emptyGpu } from '../../../bridge/gpu/gpu-csv.parser.js';
import { GpuHistory, HISTORY_CAPACITY } from '../../../bridge/gpu/gpu-history.js';

const gpu = (index: number, values: Partial<Gpu>): Gpu => ({ ...emptyGpu(index), uuid: `GPU-${index}`, name: 'T4', ...values });

describe('GpuHistory', () => {
  it('holds 30 minutes at one point per 2 s', () => {
    expect(HISTORY_CAPACITY).toBe(900);
  });

  it('keeps at most one point per step, so a fast watcher does not shorten the window', () => {
    const history = new GpuHistory(10, 2000);
    expect(history.record(0, [gpu(0, { utilization_gpu_pct: 1 })])).toBe(true);
    expect(history.record(500, [gpu(0, { utilization_gpu_pct: 2 })])).toBe(false);
    expect(history.record(2000, [gpu(0, { utilization_gpu_pct: 3 })])).toBe(true);
    expect(history.series(0)[0]!.utilization_gpu_pct).toEqual([1, 3]);
  });

  it('wraps: the oldest points go, order stays oldest first', () => {
    const history = new GpuHistory(3, 1000);
    for (let i = 0; i < 5; i++) history.record(i * 1000, [gpu(0, { memory_used_mib: i * 10, power_draw_w: 26.78 })]);
    const [series] = history.series(0);
    expect(series!.t).toEqual([2000, 3000, 4000]);
    expect(series!.memory_used_mib).toEqual([20, 30, 40]);
    // Stored as float32, answered with nvidia-smi's two decimals.
    expect(series!.power_draw_w).toEqual([26.78, 26.78, 26.78]);
    expect(history.size).toBe(3);
  });

  it('a missing reading is null, never 0; a GPU that appears later has nulls before', () => {
    const history = new GpuHistory(10, 1000);
    history.record(0, [gpu(0, { utilization_gpu_pct: null, temperature_c: 40 })]);
    history.record(1000, [gpu(0, { utilization_gpu_pct: 5, temperature_c: 41 }), gpu(1, { temperature_c: 50 })]);
    const [first, second] = history.series(0);
    expect(first).toMatchObject({ index: 0, uuid: 'GPU-0', utilization_gpu_pct: [null, 5], temperature_c: [40, 41], power_draw_w: [null, null] });
    expect(second).toMatchObject({ index: 1, t: [0, 1000], temperature_c: [null, 50] });
  });

  it('answers only the window asked for, and leaves out GPUs without readings in it', () => {
    const history = new GpuHistory(10, 1000);
    history.record(0, [gpu(0, { temperature_c: 30 }), gpu(1, { temperature_c: 31 })]);
    history.record(5000, [gpu(0, { temperature_c: 35 })]);
    expect(history.series(4000)).toEqual([
      { index: 0, uuid: 'GPU-0', name: 'T4', t: [5000], utilization_gpu_pct: [null], memory_used_mib: [null], temperature_c: [35], power_draw_w: [null] },
    ]);
  });
});
