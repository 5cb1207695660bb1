// The remote side of the Slurm capability: small POSIX sh scripts, each run on ONE channel exec of the
// user's session. Every script is built from constants and a job id that SlurmJobId has already checked
// (digits, one _ or +), so none holds a quote or anything a shell would expand.
import { sampleCommand } from '../gpu/gpu-sample.script.js';

/** The first line of a listing says which form follows, and whose jobs (squeue --json ignores --me in 22.05). */
export const LIST_MARKERS = { json: '@@vigilink-slurm json', format: '@@vigilink-slurm format' } as const;

/** Exit status of a script that found no Slurm client on the host. */
export const NO_SLURM_EXIT = 127;

/** squeue -o fields of the fallback, in order (see slurm-format.parser.ts). */
export const FORMAT_FIELDS = ['%i', '%A', '%F', '%K', '%j', '%u', '%T', '%r', '%P', '%N', '%b', '%V', '%S', '%e', '%M', '%l', '%Z'] as const;

/** ASCII unit separator between fields: a job name or path typed on a command line cannot hold it. */
export const FIELD_SEPARATOR = '\x1f';

const requireSlurm = (tool: string): string => `command -v ${tool} >/dev/null 2>&1 || exit ${NO_SLURM_EXIT}`;

function wrap(script: string): string {
  // SECURITY: built from constants and checked job ids only; refuse rather than emit a broken quote.
  if (script.includes("'")) throw new Error('a Slurm script must not contain a single quote');
  return `/bin/sh -c '${script}'`;
}

/**
 * The user's jobs: `squeue --me --json` (21.08+), else squeue -o with the unit separator between fields
 * (older builds, or a build without the JSON plugin). `--me` is 20.11+; `-u $(id -un)` covers the rest.
 */
export function listCommand(): string {
  // The separator goes into the command as it is: sh passes the byte through inside double quotes.
  const format = FORMAT_FIELDS.join(FIELD_SEPARATOR);
  return wrap(
    [
      `${requireSlurm('squeue')}`,
      `me=$(id -un)`,
      `if out=$(squeue --me --json 2>/dev/null) && [ -n "$out" ]; then echo "${LIST_MARKERS.json} $me"; printf "%s\\n" "$out"; exit 0; fi`,
      `echo "${LIST_MARKERS.format} $me"`,
      `exec squeue -u "$me" -t all -h -o "${format}"`,
    ].join('; '),
  );
}

/** scontrol's detail view of one job: -d adds a line per node with the GPU indices (GRES=gpu:2(IDX:2-3)). */
export function detailsCommand(jobId: string): string {
  return wrap(`${requireSlurm('scontrol')}; exec scontrol show job -d ${checked(jobId)}`);
}

/**
 * Cancel one job. scancel says nothing and exits 0 for an id Slurm does not know, so ask scontrol first:
 * exit 3 means "no such job". Slurm's refusal (another user's job) comes back on stderr with exit 1.
 */
export function cancelCommand(jobId: string): string {
  const id = checked(jobId);
  return wrap(`${requireSlurm('scancel')}; scontrol show job ${id} >/dev/null 2>&1 || exit 3; exec scancel ${id}`);
}
export const CANCEL_UNKNOWN_EXIT = 3;

/** Final states of jobs that left squeue, from accounting; exits 4 when accounting is not there. */
export function sacctCommand(jobIds: readonly string[]): string {
  const ids = jobIds.map(checked).join(',');
  return wrap(
    `${requireSlurm('sacct')}; out=$(sacct -X -n -P -j ${ids} -o JobID,JobName,State,ExitCode,Start,End 2>&1) || { printf "%s\\n" "$out" >&2; exit 4; }; printf "%s\\n" "$out"`,
  );
}
export const SACCT_UNAVAILABLE_EXIT = 4;

/**
 * The GPU capability's own sample, run inside the job's allocation on `node` with srun --overlap, so it
 * works where compute nodes take no ssh. nvidia-smi there may see every GPU of the node (no cgroup device
 * constraint), so the caller keeps the job's indices only.
 */
export function jobGpuCommand(jobId: string, node: string, timeoutSeconds: number): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(node)) throw new Error(`not a node name: ${node}`);
  // sampleCommand is `/bin/sh -c '<script>'` and holds no other single quote: it passes through as srun's argv.
  return `srun --jobid=${checked(jobId)} --overlap --nodes=1 --ntasks=1 --nodelist=${node} --quiet ${sampleCommand({ mode: 'query', timeoutSeconds })}`;
}

function checked(jobId: string): string {
  if (!/^\d{1,12}(_\d{1,9}|\+\d{1,4})?$/.test(jobId)) throw new Error(`not a Slurm job id: ${jobId}`);
  return jobId;
}
