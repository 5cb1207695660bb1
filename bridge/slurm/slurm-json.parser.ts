// `squeue --me --json` -> jobs. Pure. Written against Debian's Slurm 22.05 (data_parser 0.0.38: plain numbers,
// job_state a string) and tolerant of later builds (0.0.39+: {set, infinite, number} numbers, job_state a list).
import type { SlurmJob } from '../contracts/slurm.js';
import { baseState, epochToIso, expandHostlist, expandOutputPath, parseGpuGres } from './slurm-values.js';

type Raw = Record<string, unknown>;

/** A number as any data_parser version prints it; null when unset or infinite. */
function num(value: unknown): number | null {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (value && typeof value === 'object') {
    const v = value as { set?: boolean; infinite?: boolean; number?: number };
    if (v.set === false || v.infinite === true) return null;
    return typeof v.number === 'number' ? v.number : null;
  }
  return null;
}

const str = (value: unknown): string | null => (typeof value === 'string' && value !== '' ? value : null);

/** 0.0.38: "RUNNING"; 0.0.39+: ["RUNNING", "COMPLETING"]. */
function stateOf(value: unknown): string {
  if (Array.isArray(value)) return value.length ? String(value[0]) : 'UNKNOWN';
  return typeof value === 'string' && value ? baseState(value) : 'UNKNOWN';
}

/** `user`: whose jobs to keep (Slurm 22.05 ignores --me with --json and lists everyone's). */
export function parseSqueueJson(text: string, user: string, nowMs = Date.now()): SlurmJob[] {
  const data = JSON.parse(text) as { jobs?: unknown; errors?: unknown };
  if (!Array.isArray(data.jobs)) throw new Error('squeue --json printed no "jobs" list');
  return (data.jobs as Raw[]).filter((raw) => raw.user_name === user).map((raw) => jobOf(raw, nowMs));
}

function jobOf(raw: Raw, nowMs: number): SlurmJob {
  const rawId = num(raw.job_id) ?? 0;
  const arrayJobId = num(raw.array_job_id);
  const taskNumber = num(raw.array_task_id);
  const taskString = str(raw.array_task_string);
  const isArray = arrayJobId !== null && arrayJobId !== 0;
  const arrayTaskId = !isArray ? null : taskNumber !== null ? String(taskNumber) : taskString ? `[${taskString}]` : null;
  const hetJobId = num(raw.het_job_id) || null;
  const hetOffset = num(raw.het_job_offset);
  const state = stateOf(raw.job_state);
  const nodes = str(raw.nodes);
  const name = str(raw.name) ?? '';
  const user = str(raw.user_name);
  const workDir = str(raw.current_working_directory);
  const start = num(raw.start_time);
  const end = num(raw.end_time);
  const running = state === 'RUNNING' || state === 'COMPLETING' || state === 'SUSPENDED';
  const context = { jobId: rawId, arrayJobId: isArray ? arrayJobId : null, arrayTaskId, name, user, firstNode: nodes ? (expandHostlist(nodes)[0] ?? null) : null, workDir };
  const stdout = expandOutputPath(str(raw.standard_output), context);
  return {
    job_id: isArray && arrayTaskId ? `${arrayJobId}_${arrayTaskId}` : hetJobId !== null && hetOffset !== null ? `${hetJobId}+${hetOffset}` : String(rawId),
    raw_job_id: rawId,
    array_job_id: isArray ? arrayJobId : null,
    array_task_id: arrayTaskId,
    het_job_id: hetJobId,
    name,
    user,
    state,
    reason: reasonOf(str(raw.state_reason)),
    partition: str(raw.partition),
    nodes: state === 'PENDING' ? null : nodes,
    gpus: gpusOf(raw, nodes, running),
    submit_time: epochToIso(num(raw.submit_time)),
    start_time: state === 'PENDING' ? null : epochToIso(start),
    end_time: running || state === 'PENDING' ? null : epochToIso(end),
    elapsed_seconds: elapsedOf(state, start, end, nowMs),
    time_limit_seconds: timeLimitOf(raw.time_limit),
    work_dir: workDir,
    stdout_path: stdout,
    // Slurm writes stderr into stdout's file unless told otherwise.
    stderr_path: str(raw.standard_error) ? expandOutputPath(str(raw.standard_error), context) : stdout,
    exit_code: exitCodeOf(raw.exit_code, state),
  };
}

const reasonOf = (reason: string | null): string | null => (reason && reason !== 'None' ? reason : null);

function timeLimitOf(value: unknown): number | null {
  const minutes = num(value);
  // 0.0.38 prints UNLIMITED as a huge number (INFINITE is 0xffffffff).
  return minutes === null || minutes >= 0xfffffffe ? null : minutes * 60;
}

function elapsedOf(state: string, start: number | null, end: number | null, nowMs: number): number | null {
  if (state === 'PENDING' || !start) return null;
  const stop = end && end >= start && !(state === 'RUNNING' || state === 'COMPLETING') ? end : Math.floor(nowMs / 1000);
  return Math.max(0, stop - start);
}

/** GPUs asked for (tres_per_node / tres_per_job / tres_alloc_str) and, while running, gres_detail's indices per node. */
function gpusOf(raw: Raw, nodes: string | null, running: boolean): SlurmJob['gpus'] {
  const details = Array.isArray(raw.gres_detail) ? (raw.gres_detail as unknown[]).map(String) : [];
  const names = nodes ? expandHostlist(nodes) : [];
  const perNode = running ? details.map((detail, i) => ({ node: names[i] ?? `node${i}`, indices: parseGpuGres(detail).indices })).filter((n) => n.indices.length) : [];
  const held = perNode.reduce((sum, node) => sum + node.indices.length, 0);
  if (held) return { count: held, nodes: perNode };
  const alloc = str(raw.tres_alloc_str);
  const allocGpus = alloc ? /gres\/gpu=(\d+)/.exec(alloc) : null;
  if (allocGpus) return { count: Number(allocGpus[1]), nodes: [] };
  const perJob = parseGpuGres(str(raw.tres_per_job) ?? '').count;
  const perNodeAsked = parseGpuGres(str(raw.tres_per_node) ?? '').count;
  return { count: perJob || perNodeAsked * Math.max(1, num(raw.node_count) ?? 1), nodes: [] };
}

function exitCodeOf(value: unknown, state: string): string | null {
  if (state === 'PENDING' || state === 'RUNNING') return null;
  if (typeof value === 'number') return `${value >> 8}:${value & 0xff}`;
  if (value && typeof value === 'object') {
    const v = value as { return_code?: unknown; signal?: { id?: unknown } };
    return `${num(v.return_code) ?? 0}:${num(v.signal?.id) ?? 0}`;
  }
  return null;
}
