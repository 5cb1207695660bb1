// nvidia-smi -q -x, read with a real XML parser (fast-xml-parser) into the same typed GPUs as the CSV
// path. Schemas v7 to v13 name a few readings differently; each is looked up under all its names. What
// the sample script trimmed on the host (one element per line) is read by the cheaper line walk.
import { XMLParser } from 'fast-xml-parser';
import type { Gpu, GpuProcess } from '../contracts/gpu.js';
import { AppError } from '../core/errors.js';
import { emptyGpu } from './gpu-csv.parser.js';
import { firstNumber, integerValue, numberValue, textValue } from './gpu-values.js';
import { readXmlLines } from './gpu-xml-lines.parser.js';

type Node = Record<string, unknown>;

const ALWAYS_ARRAY = new Set(['gpu', 'process_info']);

const parser = new XMLParser({
  ignoreAttributes: true,
  // Every value stays a string: "0x1E" or "00" must not turn into numbers behind our back.
  parseTagValue: false,
  trimValues: true,
  isArray: (tagName) => ALWAYS_ARRAY.has(tagName),
  // Long lists we never read (hundreds of supported clocks per GPU) are kept as raw text, not parsed.
  stopNodes: ['*.supported_clocks', '*.accounted_processes', '*.ecc_errors', '*.retired_pages', '*.remapped_rows'],
  processEntities: { enabled: true, maxEntityCount: 20, maxTotalExpansions: 100 },
});

export interface XmlReading {
  driverVersion: string | null;
  /** `attached_gpus`: can be more than the <gpu> elements present (a capture trimmed by hand). */
  attachedGpus: number | null;
  gpus: Gpu[];
}

const node = (value: unknown): Node => (value && typeof value === 'object' && !Array.isArray(value) ? (value as Node) : {});
const list = (value: unknown): Node[] => (Array.isArray(value) ? value.map(node) : value === undefined ? [] : [node(value)]);

export function parseGpuXml(xml: string): XmlReading {
  let document: Node;
  try {
    document = node(readXmlLines(xml, ALWAYS_ARRAY) ?? parser.parse(xml));
  } catch (error) {
    throw new AppError('upstream_failed', `nvidia-smi -q -x printed XML that cannot be read: ${(error as Error).message}`);
  }
  if (!('nvidia_smi_log' in document)) {
    throw new AppError('upstream_failed', 'nvidia-smi -q -x did not print an nvidia_smi_log document');
  }
  const log = node(document.nvidia_smi_log);
  return {
    driverVersion: textValue(log.driver_version),
    attachedGpus: integerValue(log.attached_gpus),
    // nvidia-smi lists GPUs in index order, so the position is the index --query-gpu would report.
    gpus: list(log.gpu).map((gpu, position) => gpuFromXml(gpu, position)),
  };
}

function gpuFromXml(gpu: Node, position: number): Gpu {
  const utilization = node(gpu.utilization);
  const memory = node(gpu.fb_memory_usage);
  // v7-v11: power_readings; v12+: gpu_power_readings (v13 has only average_/instant_power_draw).
  const power = node(gpu.power_readings ?? gpu.gpu_power_readings);
  return {
    ...emptyGpu(position),
    uuid: textValue(gpu.uuid),
    name: textValue(gpu.product_name),
    utilization_gpu_pct: numberValue(utilization.gpu_util),
    utilization_memory_pct: numberValue(utilization.memory_util),
    memory_used_mib: numberValue(memory.used),
    memory_total_mib: numberValue(memory.total),
    temperature_c: numberValue(node(gpu.temperature).gpu_temp),
    // power.draw is the 1 s average on Ampere and newer, the instant reading before.
    power_draw_w: firstNumber(power.power_draw, power.average_power_draw, power.instant_power_draw),
    power_limit_w: firstNumber(power.power_limit, power.current_power_limit),
    fan_speed_pct: numberValue(gpu.fan_speed),
    pstate: textValue(gpu.performance_state),
    sm_clock_mhz: numberValue(node(gpu.clocks).sm_clock),
    processes: list(node(gpu.processes).process_info).flatMap(computeProcess),
  };
}

/** --query-compute-apps lists compute processes only ("C", "C+G", "M+C"); XML lists graphics ones too. */
function computeProcess(info: Node): GpuProcess[] {
  const pid = integerValue(info.pid);
  const type = textValue(info.type);
  if (pid === null || (type !== null && !type.includes('C'))) return [];
  return [{ pid, user: null, name: textValue(info.process_name), used_memory_mib: numberValue(info.used_memory) }];
}
