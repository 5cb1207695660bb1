// `squeue -h -o` with the unit separator between fields (FORMAT_FIELDS) -> jobs. Pure. For builds without
// JSON: no output paths here (scontrol's details have them), GPUs as asked for (%b), no indices.
import type { SlurmJob } from '../contracts/slurm.js';
import { FIELD_SEPARATOR, FORMAT_FIELDS } from './slurm.script.js';
import { baseState, expandHostlist, parseDuration, parseGpuGres, parseSlurmTime } from './slurm-values.js';

const orNull = (value: string | undefined): string | null => {
  const v = (value ?? '').trim();
  return v === '' || v === 'N/A' || v === '(null)' || v === 'None' ? null : v;
};

export function parseSqueueFormat(text: string): SlurmJob[] {
  const jobs: SlurmJob[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    const cells = line.split(FIELD_SEPARATOR);
    if (cells.length !== FORMAT_FIELDS.length) throw new Error(`squeue -o printed ${cells.length} fields where ${FORMAT_FIELDS.length} were asked for`);
    jobs.push(jobOf(cells));
  }
  return jobs;
}

function jobOf(cells: string[]): SlurmJob {
  const [shown, rawId, arrayJob, arrayTask, name, user, stateText, reason, partition, nodes, gres, submit, start, end, used, limit, workDir] = cells as [
    string, string, string, string, string, string, string, string, string, string, string, string, string, string, string, string, string,
  ];
  const state = baseState(stateText);
  const arrayTaskId = orNull(arrayTask);
  const isArray = arrayTaskId !== null;
  const node = state === 'PENDING' ? null : orNull(nodes);
  const perNode = parseGpuGres(gres).count;
  const running = state === 'RUNNING' || state === 'COMPLETING' || state === 'SUSPENDED';
  return {
    job_id: shown.trim(),
    raw_job_id: Number(rawId),
    array_job_id: isArray ? Number(arrayJob) : null,
    array_task_id: isArray ? (/^\d+$/.test(arrayTaskId) ? arrayTaskId : `[${arrayTaskId.replace(/^\[|\]$/g, '')}]`) : null,
    het_job_id: null,
    name,
    user: orNull(user),
    state,
    reason: state === 'PENDING' ? orNull(reason) : null,
    partition: orNull(partition),
    nodes: node,
    gpus: { count: perNode * Math.max(1, node ? expandHostlist(node).length : 1), nodes: [] },
    submit_time: parseSlurmTime(submit),
    start_time: state === 'PENDING' ? null : parseSlurmTime(start),
    end_time: running || state === 'PENDING' ? null : parseSlurmTime(end),
    elapsed_seconds: state === 'PENDING' ? null : parseDuration(used),
    time_limit_seconds: parseDuration(limit),
    work_dir: orNull(workDir),
    stdout_path: null,
    stderr_path: null,
    exit_code: null,
  };
}
