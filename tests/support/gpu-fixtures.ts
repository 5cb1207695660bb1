// The real nvidia-smi captures in tests/fixtures/nvidia-smi (see SOURCES.md there), read by name.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const CAPTURES_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/nvidia-smi');

export const capture = (name: string): string => fs.readFileSync(path.join(CAPTURES_DIR, name), 'utf8');

export const capturesEndingWith = (suffix: string): string[] =>
  fs.readdirSync(CAPTURES_DIR).filter((name) => name.endsWith(suffix)).sort();

/** The one GPU of xml-tesla-t4-processes-telegraf.xml, read by hand from the file (fan N/A; Xorg is a graphics process). */
export const TESLA_T4 = {
  index: 0,
  uuid: 'GPU-d37e67a5-91dd-3774-a5cb-99096249601a',
  name: 'Tesla T4',
  utilization_gpu_pct: 0,
  utilization_memory_pct: 0,
  memory_used_mib: 1032,
  memory_total_mib: 15360,
  temperature_c: 40,
  power_draw_w: 26.78,
  power_limit_w: 70,
  fan_speed_pct: null,
  pstate: 'P0',
  sm_clock_mhz: 585,
  processes: [{ pid: 5762, user: null, name: 'python', used_memory_mib: 1005 }],
};
