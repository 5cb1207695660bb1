// GpuLoopReader on hand-made loop streams (GPU rows on one, apps rows on the other): rounds split by
// index, processes joined by GPU uuid, lines cut across chunks, the apps window, the end line with
// nvidia-smi's complaint.
import { describe, expect, it } from 'vitest';
import { GpuLoopReader, type LoopBatch } from '../../../bridge/gpu/gpu-loop.reader.js';
import { LOOP_END } from '../../../bridge/gpu/gpu-sample.script.js';

const row = (index: number, util: number) => `${index}, GPU-${index}, Tesla T4, ${util}, 1, 100, 15360, 40, 26.5, 70.00, [N/A], P0, 1590`;
const app = (gpu: number, pid: number) => `GPU-${gpu}, ${pid}, python, 500`;

function reader(intervalMs = 500) {
  let clock = 0;
  const batches: LoopBatch[] = [];
  const ends: Array<[number, string]> = [];
  const r = new GpuLoopReader({ intervalMs, onBatch: (b) => batches.push(b), onEnd: (code, output) => ends.push([code, output]), now: () => clock });
  return { r, batches, ends, tick: (ms: number) => (clock += ms) };
}

describe('GpuLoopReader', () => {
  it('closes the first round when an index comes again, later ones on their last row', () => {
    const { r, batches, tick } = reader();
    r.push('gpu', `${row(0, 10)}\n${row(1, 20)}\n`);
    expect(batches).toHaveLength(0);
    tick(500);
    r.push('gpu', `${row(0, 30)}\n`);
    expect(batches.map((b) => b.gpus.map((g) => g.utilization_gpu_pct))).toEqual([[10, 20]]);
    r.push('gpu', `${row(1, 40)}\n`);
    expect(batches.map((b) => b.gpus.map((g) => g.utilization_gpu_pct))).toEqual([[10, 20], [30, 40]]);
    expect(batches[1]!.gpus[1]).toMatchObject({ index: 1, uuid: 'GPU-1', name: 'Tesla T4', memory_total_mib: 15360, power_draw_w: 26.5, fan_speed_pct: null, processes: [] });
  });

  it('reads lines cut across chunks and joins processes of the last rounds to their GPU, each once', () => {
    const { r, batches, tick } = reader(500);
    const apps = `${app(0, 11)}\n`;
    r.push('apps', apps.slice(0, 9));
    r.push('apps', apps.slice(9));
    const gpus = `${row(0, 1)}\n${row(1, 2)}\n`;
    r.push('gpu', gpus.slice(0, 17));
    r.push('gpu', gpus.slice(17));
    tick(500);
    // The same process again in the next apps round, and a new one on GPU 1.
    r.push('apps', `${app(0, 11)}\n${app(1, 12)}\n`);
    r.push('gpu', `${row(0, 3)}\n`);
    expect(batches[0]!.gpus.map((g) => g.processes.map((p) => [p.pid, p.name, p.used_memory_mib]))).toEqual([[[11, 'python', 500]], [[12, 'python', 500]]]);
    r.push('gpu', `${row(1, 4)}\n`);
    // Older than 1.5 intervals: a process that stopped showing up leaves.
    tick(1000);
    r.push('gpu', `${row(0, 5)}\n${row(1, 6)}\n`);
    expect(batches.at(-1)!.gpus.map((g) => g.processes.length)).toEqual([0, 0]);
  });

  it('reports the end of a loop with what nvidia-smi said instead of readings', () => {
    const { r, batches, ends } = reader();
    r.push('gpu', `Invalid combination of input arguments. Please run 'nvidia-smi -h' for help.\n\n${LOOP_END} 2\n`);
    r.push('apps', `Field "pid" is not a valid field to query.\n${LOOP_END} 2\n`);
    expect(batches).toEqual([]);
    expect(ends).toEqual([
      [2, "Invalid combination of input arguments. Please run 'nvidia-smi -h' for help."],
      [2, 'Invalid combination of input arguments. Please run \'nvidia-smi -h\' for help.\n\nField "pid" is not a valid field to query.'],
    ]);
  });

  it('reads past a login banner before the first round', () => {
    const { r, batches, ends } = reader();
    r.push('gpu', `Welcome to the cluster\n${row(0, 1)}\n${row(0, 2)}\n`);
    // The second row closes the first round, and (one GPU per round now known) its own.
    expect(batches.map((b) => b.gpus[0]!.utilization_gpu_pct)).toEqual([1, 2]);
    expect(ends).toEqual([]);
  });
});
