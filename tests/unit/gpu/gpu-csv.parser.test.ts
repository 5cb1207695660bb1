// The CSV path against every real CSV capture: header and units, [N/A] -> null, commas in names,
// and GPUs / processes checked by hand against the files.
import { describe, expect, it } from 'vitest';
import { csvRecords, gpusFromCsv, parseNvidiaCsv, processesFromCsv } from '../../../bridge/gpu/gpu-csv.parser.js';
import { APP_QUERY_FIELDS, GPU_QUERY_FIELDS } from '../../../bridge/gpu/gpu-sample.script.js';
import { capture, capturesEndingWith } from '../../support/gpu-fixtures.js';

describe('every CSV capture', () => {
  const files = capturesEndingWith('.csv');

  it('finds all six captures', () => expect(files).toHaveLength(6));

  it.each(files)('%s: one record per data line, every cell a string or null, no placeholder left', (name) => {
    const text = capture(name);
    const table = parseNvidiaCsv(text);
    const dataLines = text.split('\n').filter((line) => line.trim()).length - 1;
    expect(table.rows).toHaveLength(dataLines);
    for (const row of table.rows) {
      expect(row).toHaveLength(table.columns.length);
      for (const cell of row) {
        if (cell !== null) expect(cell).not.toMatch(/^\[.*\]$|^N\/A$/);
      }
    }
    expect(table.columns.every((c) => c && !c.includes('['))).toBe(true);
  });
});

describe('--query-gpu captures', () => {
  it('2 GPUs with units in header and values (a0s)', () => {
    const table = parseNvidiaCsv(capture('csv-query-gpu-2gpu-a0s.csv'));
    expect(table.columns).toEqual(['uuid', 'memory.used', 'utilization.gpu', 'temperature.gpu', 'power.draw', 'clocks.current.sm']);
    expect(table.units).toEqual([null, 'MiB', '%', null, 'W', 'MHz']);
    const gpus = gpusFromCsv(table);
    expect(gpus).toHaveLength(2);
    expect(gpus[0]).toMatchObject({
      index: 0,
      uuid: 'GPU-d86c351b-8f94-33ab-3b97-accb421fef6d',
      memory_used_mib: 754,
      utilization_gpu_pct: 100,
      temperature_c: 71,
      power_draw_w: 217.24,
      sm_clock_mhz: 1949,
      // Not queried: unknown, so null rather than 0.
      name: null,
      memory_total_mib: null,
      fan_speed_pct: null,
    });
    expect(gpus[1]).toMatchObject({ index: 1, uuid: 'GPU-683c6e09-3969-31a5-b7ca-cc88252b7fce', memory_used_mib: 641, power_draw_w: 208.3, sm_clock_mhz: 2025 });
  });

  it('H100 under load, 212 columns, [N/A] fan speed -> null', () => {
    const table = parseNvidiaCsv(capture('csv-query-gpu-h100-80gb-hbm3-212cols-load-nge.csv'));
    expect(table.columns).toHaveLength(212);
    const [gpu] = gpusFromCsv(table);
    expect(gpu).toEqual({
      index: 0,
      uuid: 'GPU-00000000-0000-0000-0000-000000000000',
      name: 'NVIDIA H100 80GB HBM3',
      utilization_gpu_pct: 100,
      utilization_memory_pct: 11,
      memory_used_mib: 19818,
      memory_total_mib: 81559,
      temperature_c: 59,
      power_draw_w: 631.95,
      power_limit_w: 700,
      fan_speed_pct: null,
      pstate: 'P0',
      sm_clock_mhz: 1980,
      processes: [],
    });
    const record = csvRecords(table)[0]!;
    expect(record['clocks_event_reasons.supported']).toBe('0x00000000000001FF');
    // 61 x [N/A], 6 x [Requested functionality has been deprecated], 6 x N/A, 1 empty cell.
    expect(Object.values(record).filter((v) => v === null).length).toBe(74);
  });

  it('RTX 2080 SUPER on Windows (driver 471.11)', () => {
    const [gpu] = gpusFromCsv(parseNvidiaCsv(capture('csv-query-gpu-rtx2080super-windows-471.11-2021-nge.csv')));
    expect(gpu).toMatchObject({
      index: 0,
      name: 'NVIDIA GeForce RTX 2080 SUPER',
      uuid: 'GPU-df6e7a7c-7314-46f8-abc4-b88b36dcf3aa',
      fan_speed_pct: 38,
      pstate: 'P8',
      memory_total_mib: 8192,
      memory_used_mib: 876,
      utilization_gpu_pct: 2,
      utilization_memory_pct: 10,
      temperature_c: 36,
      power_draw_w: 32.7,
      power_limit_w: 250,
      sm_clock_mhz: 111,
    });
  });

  it('our own query without header or units reads the same fields in order', () => {
    const line = '0, GPU-d37e67a5-91dd-3774-a5cb-99096249601a, Tesla T4, 0, 0, 1032, 15360, 40, 26.78, 70.00, [N/A], P0, 585';
    const [gpu] = gpusFromCsv(parseNvidiaCsv(`${line}\n`, GPU_QUERY_FIELDS));
    expect(gpu).toMatchObject({ index: 0, name: 'Tesla T4', memory_used_mib: 1032, power_limit_w: 70, fan_speed_pct: null, pstate: 'P0', sm_clock_mhz: 585 });
  });

  it('ignores columns named like Object.prototype members (the host chooses the header)', () => {
    const [gpu] = gpusFromCsv(parseNvidiaCsv('index, constructor, toString, name\n0, 5, 6, Tesla T4\n'));
    expect(gpu).toMatchObject({ index: 0, name: 'Tesla T4' });
    expect(Object.keys(gpu!).filter((key) => /function|native/.test(key))).toEqual([]);
  });
});

describe('--query-compute-apps and other queries', () => {
  it('10 Windows processes, paths with spaces, used memory [N/A] -> null', () => {
    const processes = processesFromCsv(parseNvidiaCsv(capture('csv-query-compute-apps-rtx2080super-windows-na-mem-nge.csv')));
    expect(processes).toHaveLength(10);
    expect(processes.every((p) => p.used_memory_mib === null && p.user === null)).toBe(true);
    expect(processes[0]).toEqual({
      pid: 12444,
      user: null,
      name: 'C:\\Windows\\SystemApps\\MicrosoftWindows.Client.CBS_cw5n1h2txyewy\\TextInputHost.exe',
      used_memory_mib: null,
      gpu_uuid: 'GPU-00000000-0000-0000-0000-000000000000',
    });
    expect(processes.map((p) => p.name)).toContain('C:\\Program Files\\NZXT CAM\\NZXT CAM.exe');
    expect(processes.at(-1)).toMatchObject({ pid: 24804, name: 'C:\\Windows\\ImmersiveControlPanel\\SystemSettings.exe' });
  });

  it('a process name with ", " in it stays whole (nvidia-smi does not quote)', () => {
    const text = 'GPU-1, 4242, python train.py --tags a, b, c, 2048\nGPU-1, 4243, worker, [N/A]\n';
    const processes = processesFromCsv(parseNvidiaCsv(text, APP_QUERY_FIELDS));
    expect(processes).toEqual([
      { pid: 4242, user: null, name: 'python train.py --tags a, b, c', used_memory_mib: 2048, gpu_uuid: 'GPU-1' },
      { pid: 4243, user: null, name: 'worker', used_memory_mib: null, gpu_uuid: 'GPU-1' },
    ]);
  });

  it('accounted apps on an L40S: header names differ from the query, units stripped', () => {
    const table = parseNvidiaCsv(capture('csv-query-accounted-apps-l40s-load-nge.csv'));
    expect(table.columns).toEqual(['timestamp', 'gpu_name', 'gpu_bus_id', 'gpu_serial', 'gpu_uuid', 'pid', 'gpu_utilization', 'mem_utilization', 'max_memory_usage', 'time']);
    const records = csvRecords(table);
    expect(records).toHaveLength(5);
    expect(records[2]).toMatchObject({ pid: '18679', gpu_utilization: '99 %', max_memory_usage: '0 MiB', time: '153712 ms' });
  });

  it('retired pages on an H200: [N/A] address and timestamp -> null', () => {
    const records = csvRecords(parseNvidiaCsv(capture('csv-query-retired-pages-h200-na-nge.csv')));
    expect(records.map((r) => [r['retired_pages.address'], r['retired_pages.timestamp'], r['retired_pages.cause']])).toEqual([
      [null, null, 'Single Bit ECC'],
      [null, null, 'Double Bit ECC'],
    ]);
  });
});
