// Reads the output of one sample script into a typed outcome: GPUs (from CSV or the XML fallback, with
// process owners from ps), "this host has no usable GPUs" in plain words, or a transient failure.
import type { Gpu } from '../contracts/gpu.js';
import { errorMessage } from '../core/errors.js';
import { gpusFromCsv, parseNvidiaCsv, processesFromCsv } from './gpu-csv.parser.js';
import { APP_QUERY_FIELDS, GPU_QUERY_FIELDS, splitSections, type SampleMode, type ScriptSection } from './gpu-sample.script.js';
import { parseGpuXml } from './gpu-xml.parser.js';

export type SampleOutcome =
  /** Fresh readings. */
  | { status: 'ok'; gpus: Gpu[]; source: SampleMode; nextMode: SampleMode }
  /** A definite answer without GPUs: no nvidia-smi, no devices, driver down. Served as gpus: [] with the error. */
  | { status: 'no_gpus'; error: string; nextMode: SampleMode }
  /** Nothing usable this time (timeout, dropped channel, garbled output): the last good data is served stale. */
  | { status: 'failed'; error: string; timedOut: boolean; nextMode: SampleMode };

export interface InterpretOptions {
  mode: SampleMode;
  timeoutSeconds: number;
}

export function interpretSample(stdout: string, options: InterpretOptions): SampleOutcome {
  const sections = splitSections(stdout);
  // One rejected field means this driver will reject it every time: stay on XML for this host.
  const nextMode: SampleMode = sections.rejected || sections.xml ? 'xml' : options.mode;
  const fail = (error: string, timedOut = false): SampleOutcome => ({ status: 'failed', error, timedOut, nextMode });
  try {
    const main = sections.xml ?? sections.gpu;
    if (!main) {
      const why = sections.preamble ? `: ${firstLine(sections.preamble)}` : '';
      return fail(`The GPU sample script did not run on the host${why}`);
    }
    const problem = hostProblem(main, options.timeoutSeconds);
    if (problem) return { ...problem, nextMode };
    let gpus: Gpu[];
    if (sections.xml) {
      gpus = parseGpuXml(sections.xml.text).gpus;
    } else {
      const apps = sections.apps;
      if (!apps) return fail('nvidia-smi --query-compute-apps gave no answer');
      const appsProblem = hostProblem(apps, options.timeoutSeconds);
      if (appsProblem) return { ...appsProblem, nextMode };
      gpus = gpusFromCsv(parseNvidiaCsv(main.text, GPU_QUERY_FIELDS));
      const byUuid = new Map(gpus.map((gpu) => [gpu.uuid, gpu]));
      for (const { gpu_uuid, ...process } of processesFromCsv(parseNvidiaCsv(apps.text, APP_QUERY_FIELDS))) {
        byUuid.get(gpu_uuid)?.processes.push(process);
      }
    }
    if (!sections.complete) return fail('The GPU sample was cut short (the output ended early)');
    const owners = parseOwners(sections.ps?.text ?? '');
    for (const gpu of gpus) for (const process of gpu.processes) process.user = owners.get(process.pid) ?? null;
    return { status: 'ok', gpus, source: sections.xml ? 'xml' : 'query', nextMode };
  } catch (error) {
    return fail(errorMessage(error));
  }
}

type Problem = { status: 'no_gpus'; error: string } | { status: 'failed'; error: string; timedOut: boolean };

/** The failures every GPU host shows sooner or later, in words a person can act on. */
export function hostProblem(section: ScriptSection, timeoutSeconds: number): Problem | null {
  const { rc, text } = section;
  if (rc === 0) return null;
  if (rc === 127) {
    return { status: 'no_gpus', error: 'nvidia-smi is not installed on this host (or not on the PATH of a non-interactive shell): there are no NVIDIA GPUs to show' };
  }
  if (/No devices were found/i.test(text)) return { status: 'no_gpus', error: 'nvidia-smi found no NVIDIA GPUs on this host' };
  if (/couldn't communicate with the NVIDIA driver/i.test(text)) {
    return { status: 'no_gpus', error: 'The NVIDIA driver is not running on this host: nvidia-smi could not communicate with it' };
  }
  const nvml = /Failed to initialize NVML: *(.+)/i.exec(text);
  if (nvml) return { status: 'no_gpus', error: `nvidia-smi could not start on this host: ${nvml[1]!.trim()}` };
  // coreutils timeout: 124 after SIGTERM, 137 when it had to SIGKILL.
  if (rc === 124 || rc === 137) {
    return { status: 'failed', timedOut: true, error: `nvidia-smi did not answer within ${timeoutSeconds} s (the driver may be wedged)` };
  }
  return { status: 'failed', timedOut: false, error: `nvidia-smi failed (exit ${rc}): ${firstLine(text) || 'no output'}` };
}

/** `ps -o pid=,user=` lines as pid -> user. */
export function parseOwners(text: string): Map<number, string> {
  const owners = new Map<number, string>();
  for (const line of text.split('\n')) {
    const match = /^\s*(\d+)\s+(\S+)\s*$/.exec(line);
    if (match) owners.set(Number(match[1]), match[2]!);
  }
  return owners;
}

const firstLine = (text: string): string => text.trim().split('\n')[0]!.slice(0, 300);
