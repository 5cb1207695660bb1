// nvidia-smi's CSV (--query-gpu, --query-compute-apps, ...): with or without the header row, with or
// without units. Cells are split on ", " as nvidia-smi writes them; placeholders become null.
import type { Gpu, GpuProcess } from '../contracts/gpu.js';
import { integerValue, numberValue, textValue } from './gpu-values.js';

export interface CsvTable {
  /** Field names without their units ("memory.used", not "memory.used [MiB]"). */
  columns: string[];
  /** The unit from the header ("MiB"), or null (no header, or a field without one). */
  units: (string | null)[];
  /** Cells as printed, trimmed; null for placeholders such as [N/A]. */
  rows: (string | null)[][];
}

const HEADER_CELL = /^(.*?)\s*(?:\[([^\]]*)\])?$/;
/** Columns that may hold free text with commas (process names, Windows paths). */
const FREE_TEXT_COLUMNS = ['process_name', 'name', 'gpu_name'];

/**
 * Parse nvidia-smi CSV. Without `columns` the first line is the header (--format=csv); with them the
 * output is taken as --format=csv,noheader and the columns are the queried fields, in order.
 */
export function parseNvidiaCsv(text: string, columns?: readonly string[]): CsvTable {
  const lines = text.split('\n').map((line) => line.replace(/\r$/, '')).filter((line) => line.trim() !== '');
  let names: string[];
  let units: (string | null)[];
  if (columns) {
    names = [...columns];
    units = names.map(() => null);
  } else {
    const header = lines.shift() ?? '';
    const cells = header.split(',').map((cell) => HEADER_CELL.exec(cell.trim())!);
    names = cells.map((match) => match[1]!);
    units = cells.map((match) => match[2] ?? null);
  }
  const rows = lines.map((line) => splitRow(line, names).map((cell) => textValue(cell)));
  return { columns: names, units, rows };
}

/** Split one row; surplus cells (a comma inside a process name) go back into the free-text column. */
function splitRow(line: string, names: readonly string[]): string[] {
  const cells = line.split(', ');
  const surplus = cells.length - names.length;
  if (surplus <= 0) return cells;
  const textColumn = names.findIndex((name) => FREE_TEXT_COLUMNS.includes(name));
  const at = textColumn >= 0 ? textColumn : names.length - 1;
  return [...cells.slice(0, at), cells.slice(at, at + surplus + 1).join(', '), ...cells.slice(at + surplus + 1)];
}

/** One row as a record by field name. */
export function csvRecords(table: CsvTable): Record<string, string | null>[] {
  return table.rows.map((row) => Object.fromEntries(table.columns.map((name, i) => [name, row[i] ?? null])));
}

/**
 * --query-gpu field names (and the header names nvidia-smi prints for them) -> our fields. A Map: the
 * column names come from the host, and a column named 'constructor' must find nothing.
 */
const GPU_FIELD = new Map<string, keyof Omit<Gpu, 'processes'>>(Object.entries({
  index: 'index',
  uuid: 'uuid',
  name: 'name',
  gpu_name: 'name',
  'utilization.gpu': 'utilization_gpu_pct',
  'utilization.memory': 'utilization_memory_pct',
  'memory.used': 'memory_used_mib',
  'memory.total': 'memory_total_mib',
  'temperature.gpu': 'temperature_c',
  'power.draw': 'power_draw_w',
  'power.limit': 'power_limit_w',
  'fan.speed': 'fan_speed_pct',
  pstate: 'pstate',
  'clocks.sm': 'sm_clock_mhz',
  'clocks.current.sm': 'sm_clock_mhz',
} as const));

const TEXT_FIELDS = new Set(['uuid', 'name', 'pstate']);

export function emptyGpu(index: number): Gpu {
  return {
    index,
    uuid: null,
    name: null,
    utilization_gpu_pct: null,
    utilization_memory_pct: null,
    memory_used_mib: null,
    memory_total_mib: null,
    temperature_c: null,
    power_draw_w: null,
    power_limit_w: null,
    fan_speed_pct: null,
    pstate: null,
    sm_clock_mhz: null,
    processes: [],
  };
}

/** GPUs from a --query-gpu table; fields the query did not ask for stay null. */
export function gpusFromCsv(table: CsvTable): Gpu[] {
  return csvRecords(table).map((record, position) => {
    const gpu = emptyGpu(position);
    for (const [column, raw] of Object.entries(record)) {
      const field = GPU_FIELD.get(column);
      if (!field) continue;
      if (field === 'index') gpu.index = integerValue(raw) ?? position;
      else if (TEXT_FIELDS.has(field)) (gpu as unknown as Record<string, string | null>)[field] = raw;
      else (gpu as unknown as Record<string, number | null>)[field] = numberValue(raw);
    }
    return gpu;
  });
}

export interface CsvProcess extends GpuProcess {
  gpu_uuid: string | null;
}

/** Processes from a --query-compute-apps table (which GPU each runs on is its gpu_uuid). */
export function processesFromCsv(table: CsvTable): CsvProcess[] {
  const processes: CsvProcess[] = [];
  for (const record of csvRecords(table)) {
    const pid = integerValue(record.pid);
    if (pid === null) continue;
    processes.push({
      pid,
      user: null,
      name: record.process_name ?? record.name ?? null,
      used_memory_mib: numberValue(record.used_gpu_memory ?? record.used_memory),
      gpu_uuid: record.gpu_uuid ?? null,
    });
  }
  return processes;
}
