// The XML fallback against every real -q -x capture (schemas v7 to v13), checked by hand against the files.
import { describe, expect, it } from 'vitest';
import type { Gpu } from '../../../bridge/contracts/gpu.js';
import { parseGpuXml } from '../../../bridge/gpu/gpu-xml.parser.js';
import { capture, capturesEndingWith, TESLA_T4 } from '../../support/gpu-fixtures.js';

const NUMERIC: (keyof Gpu)[] = [
  'utilization_gpu_pct',
  'utilization_memory_pct',
  'memory_used_mib',
  'memory_total_mib',
  'temperature_c',
  'power_draw_w',
  'power_limit_w',
  'fan_speed_pct',
  'sm_clock_mhz',
];

describe('every XML capture', () => {
  const files = capturesEndingWith('.xml');

  it('finds all twelve captures', () => expect(files).toHaveLength(12));

  it.each(files)('%s: one GPU per <gpu> element, numbers finite or null, a UUID and a name each', (name) => {
    const xml = capture(name);
    const reading = parseGpuXml(xml);
    expect(reading.gpus).toHaveLength((xml.match(/<gpu id=/g) ?? []).length);
    expect(reading.driverVersion).toMatch(/^\d+\.\d+/);
    reading.gpus.forEach((gpu, position) => {
      expect(gpu.index).toBe(position);
      expect(gpu.uuid).toMatch(/^GPU-[0-9a-f-]{36}$/);
      expect(gpu.name).toBeTruthy();
      for (const field of NUMERIC) {
        const value = gpu[field];
        if (value !== null) expect(Number.isFinite(value)).toBe(true);
      }
      expect(gpu.memory_total_mib).toBeGreaterThan(0);
      for (const process of gpu.processes) {
        expect(Number.isInteger(process.pid)).toBe(true);
        expect(process.user).toBeNull();
      }
    });
  });
});

describe('captures checked by hand', () => {
  it('Tesla T4: fan N/A -> null; only the compute process (Xorg is graphics)', () => {
    const { gpus } = parseGpuXml(capture('xml-tesla-t4-processes-telegraf.xml'));
    expect(gpus).toEqual([TESLA_T4]);
  });

  it('8 x Tesla V100S: busy GPUs, one python process each, accounted processes ignored', () => {
    const { gpus, attachedGpus } = parseGpuXml(capture('xml-tesla-v100s-pcie-32gb-8gpu-procs-datakit.xml'));
    expect(attachedGpus).toBe(8);
    expect(gpus.map((g) => g.index)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(gpus.every((g) => g.name === 'Tesla V100S-PCIE-32GB' && g.fan_speed_pct === null && g.processes.length === 1)).toBe(true);
    expect(gpus[0]).toMatchObject({ utilization_gpu_pct: 97, utilization_memory_pct: 52, memory_used_mib: 31689, memory_total_mib: 32510, power_draw_w: 232.8, power_limit_w: 250 });
    expect(gpus[0]!.processes).toEqual([{ pid: 37305, user: null, name: 'python', used_memory_mib: 31683 }]);
    expect(gpus[1]).toMatchObject({ uuid: 'GPU-bbf7a241-bf9a-eb90-b2fb-d213294faf48', utilization_gpu_pct: 75, memory_used_mib: 29545, power_draw_w: 152.03 });
  });

  it('A100 with MIG: utilization N/A -> null; the GPU memory, not a MIG slice', () => {
    const { gpus, attachedGpus } = parseGpuXml(capture('xml-a100-sxm4-80gb-mig-4inst-telegraf.xml'));
    expect(attachedGpus).toBe(4);
    expect(gpus).toHaveLength(1);
    expect(gpus[0]).toMatchObject({
      name: 'NVIDIA A100-SXM4-80GB',
      uuid: 'GPU-513536b6-7d19-9063-b049-1e69664bb298',
      utilization_gpu_pct: null,
      utilization_memory_pct: null,
      memory_used_mib: 50,
      memory_total_mib: 81920,
      temperature_c: 27,
      power_draw_w: 67.03,
      power_limit_w: 500,
      fan_speed_pct: null,
      sm_clock_mhz: 1275,
    });
  });

  it('RTX 3080 on schema v13: power from average_power_draw, limit from current_power_limit', () => {
    const [gpu] = parseGpuXml(capture('xml-rtx3080-v13-595-telegraf.xml')).gpus;
    expect(gpu).toMatchObject({ utilization_gpu_pct: 65, memory_used_mib: 9184, memory_total_mib: 10240, power_draw_w: 139.62, power_limit_w: 320, pstate: 'P2', sm_clock_mhz: 1950, processes: [] });
  });

  it('RTX 3080 on schema v12: five graphics processes, no compute ones', () => {
    const xml = capture('xml-rtx3080-v12-5procs-long-cmdline-telegraf.xml');
    expect((xml.match(/<process_info>/g) ?? []).length).toBe(5);
    const [gpu] = parseGpuXml(xml).gpus;
    expect(gpu).toMatchObject({ utilization_memory_pct: 37, memory_used_mib: 1128, power_draw_w: 22.78, power_limit_w: 336, processes: [] });
  });

  it('GTX 1070, 2 of 6 GPUs: the same ethminer pid on both', () => {
    const { gpus, driverVersion } = parseGpuXml(capture('xml-gtx1070-2of6gpu-ethminer-procs-pai.xml'));
    expect(driverVersion).toBe('384.66');
    expect(gpus.map((g) => [g.fan_speed_pct, g.memory_used_mib, g.memory_total_mib])).toEqual([
      [41, 2028, 8112],
      [39, 4057, 8114],
    ]);
    for (const gpu of gpus) expect(gpu.processes).toEqual([{ pid: 3093, user: null, name: './ethminer', used_memory_mib: 2283 }]);
  });

  it('GRID K520 (schema v7, 2017): no processes, fan N/A', () => {
    const [gpu] = parseGpuXml(capture('xml-grid-k520-v7-352-rai.xml')).gpus;
    expect(gpu).toMatchObject({ name: 'GRID K520', memory_used_mib: 11, memory_total_mib: 4095, power_draw_w: 17.97, power_limit_w: 125, fan_speed_pct: null, pstate: 'P8', processes: [] });
  });

  it('GTX 1660 Ti without DOCTYPE, Quadro P2200 with a space in the process name', () => {
    expect(parseGpuXml(capture('xml-gtx1660ti-418-no-doctype-telegraf.xml')).gpus[0]).toMatchObject({ name: 'Graphics Device', memory_total_mib: 5912, power_draw_w: 8.93 });
    expect(parseGpuXml(capture('xml-quadro-p2200-v11-plex-proc-lampaa.xml')).gpus[0]!.processes).toEqual([
      { pid: 6439, user: null, name: '/usr/lib/plexmediaserver/Plex Transcoder', used_memory_mib: 1166 },
    ]);
  });

  it('two RTX 2080 Ti, tab-indented: both read, each its own power', () => {
    const { gpus } = parseGpuXml(capture('xml-rtx2080ti-2gpu-ecc-na-pai.xml'));
    expect(gpus.map((g) => [g.uuid, g.power_draw_w])).toEqual([
      ['GPU-57567e11-0be2-381b-5132-2ad95c262e58', 2.12],
      ['GPU-ef1d0068-5bfd-f1e4-7e79-ff35d71d44b8', 19.11],
    ]);
  });

  it('garbage is an error, not an empty list', () => {
    expect(() => parseGpuXml('No devices were found')).toThrow(/nvidia_smi_log/);
  });
});
