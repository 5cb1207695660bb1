// The per-session history: a fixed-size ring of samples (30 minutes at one point per 2 s), per GPU the
// four series a phone plots. Typed arrays keep memory flat; NaN marks "no reading" inside, null outside.
import type { Gpu, GpuSeries } from '../contracts/gpu.js';
import { GPU_DEFAULT_INTERVAL_MS, GPU_HISTORY_MINUTES } from '../contracts/gpu.js';

export const HISTORY_STEP_MS = GPU_DEFAULT_INTERVAL_MS;
export const HISTORY_CAPACITY = (GPU_HISTORY_MINUTES * 60_000) / HISTORY_STEP_MS;

/** GPUs tracked per session at most (MIG reconfigurations mint new UUIDs); the oldest track goes first. */
const MAX_TRACKS = 64;

const METRICS = ['utilization_gpu_pct', 'memory_used_mib', 'temperature_c', 'power_draw_w'] as const;
type Metric = (typeof METRICS)[number];

interface GpuTrack {
  index: number;
  uuid: string | null;
  name: string | null;
  values: Record<Metric, Float32Array>;
}

export class GpuHistory {
  private readonly times: Float64Array;
  private readonly tracks = new Map<string, GpuTrack>();
  /** Next slot to write; `count` slots before it (wrapping) hold data. */
  private head = 0;
  private count = 0;

  constructor(
    private readonly capacity = HISTORY_CAPACITY,
    private readonly stepMs = HISTORY_STEP_MS,
  ) {
    this.times = new Float64Array(capacity);
  }

  get size(): number {
    return this.count;
  }

  /** Record a sample; one closer than a step to the previous point is dropped (a 500 ms watcher does not shorten the window). */
  record(at: number, gpus: readonly Gpu[]): boolean {
    if (this.count > 0 && at - this.times[(this.head - 1 + this.capacity) % this.capacity]! < this.stepMs * 0.9) return false;
    const slot = this.head;
    this.times[slot] = at;
    for (const track of this.tracks.values()) for (const metric of METRICS) track.values[metric][slot] = NaN;
    for (const gpu of gpus) {
      const track = this.track(gpu);
      for (const metric of METRICS) track.values[metric][slot] = gpu[metric] ?? NaN;
    }
    this.head = (slot + 1) % this.capacity;
    this.count = Math.min(this.count + 1, this.capacity);
    return true;
  }

  /** Per GPU, the points since `since` (epoch ms), oldest first; GPUs without a reading in the window are left out. */
  series(since: number): GpuSeries[] {
    const slots: number[] = [];
    for (let i = this.count; i >= 1; i--) {
      const slot = (this.head - i + this.capacity) % this.capacity;
      if (this.times[slot]! >= since) slots.push(slot);
    }
    const result: GpuSeries[] = [];
    for (const track of this.tracks.values()) {
      const series: GpuSeries = {
        index: track.index,
        uuid: track.uuid,
        name: track.name,
        t: [],
        utilization_gpu_pct: [],
        memory_used_mib: [],
        temperature_c: [],
        power_draw_w: [],
      };
      let seen = false;
      for (const slot of slots) {
        series.t.push(this.times[slot]!);
        for (const metric of METRICS) {
          const value = track.values[metric][slot]!;
          if (!Number.isNaN(value)) seen = true;
          // Float32 storage: round back to the two decimals nvidia-smi prints.
          series[metric].push(Number.isNaN(value) ? null : Math.round(value * 100) / 100);
        }
      }
      if (seen) result.push(series);
    }
    return result.sort((a, b) => a.index - b.index);
  }

  private track(gpu: Gpu): GpuTrack {
    const key = gpu.uuid ?? `index:${gpu.index}`;
    let track = this.tracks.get(key);
    if (!track) {
      const values = Object.fromEntries(METRICS.map((metric) => [metric, new Float32Array(this.capacity).fill(NaN)])) as Record<Metric, Float32Array>;
      track = { index: gpu.index, uuid: gpu.uuid, name: gpu.name, values };
      if (this.tracks.size >= MAX_TRACKS) this.tracks.delete(this.tracks.keys().next().value!);
      this.tracks.set(key, track);
    }
    track.index = gpu.index;
    track.name = gpu.name;
    return track;
  }
}
