// Wire shapes of the Slurm capability: jobs, one job, its output, cancel, job alerts and the jobs/job socket events.
// zod only: the renderer imports these too. Times are ISO strings; what Slurm does not say is null.
import { z } from 'zod';
import { SessionId, UserId } from './common.js';
import { GpuSnapshot } from './gpu.js';

/** Bytes of output the first read or a follow starts with. */
const SLURM_DEFAULT_TAIL_BYTES = 4096;
const SLURM_MAX_TAIL_BYTES = 256 * 1024;

/** 123, 123_4 (array task), 123+1 (heterogeneous component). Nothing else reaches a shell. */
export const SlurmJobId = z
  .string()
  .max(40)
  .regex(/^\d{1,12}(_\d{1,9}|\+\d{1,4})?$/, 'a Slurm job id: 123, 123_4 (array task) or 123+1 (heterogeneous job component)')
  .meta({ description: 'A Slurm job id: 123, 123_4 (array task) or 123+1 (heterogeneous job component)' });

export const SlurmQuery = z.object({ user_id: UserId.optional(), session_id: SessionId.optional() });
export const SlurmJobParams = z.object({ id: SlurmJobId });

const SlurmJobState = z
  .string()
  .meta({ description: "Slurm's state name: PENDING, RUNNING, COMPLETED, FAILED, TIMEOUT, CANCELLED, OUT_OF_MEMORY, ..." });

export const SlurmJobGpus = z
  .object({
    count: z.number().int().meta({ description: 'GPUs the job asked for (or holds), over all its nodes' }),
    nodes: z
      .array(z.object({ node: z.string(), indices: z.array(z.number().int()) }))
      .meta({ description: 'While running: the GPU indices the job holds on each node' }),
  })
  .meta({ id: 'SlurmJobGpus' });

export const SlurmJob = z
  .object({
    job_id: z.string().meta({ description: 'As Slurm shows it: 123, 123_4 for an array task, 123+1 for a heterogeneous component' }),
    raw_job_id: z.number().int().meta({ description: "Slurm's own number for this job (array tasks have their own)" }),
    array_job_id: z.number().int().nullable(),
    array_task_id: z.string().nullable().meta({ description: 'The task number, or the pending range such as "[2-5]"' }),
    het_job_id: z.number().int().nullable(),
    name: z.string(),
    user: z.string().nullable(),
    state: SlurmJobState,
    reason: z.string().nullable().meta({ description: 'Why it is pending (Resources, Priority, ...); null when none' }),
    partition: z.string().nullable(),
    nodes: z.string().nullable().meta({ description: 'The node list (Slurm hostlist form); null while pending' }),
    gpus: SlurmJobGpus,
    submit_time: z.string().nullable(),
    start_time: z.string().nullable(),
    end_time: z.string().nullable(),
    elapsed_seconds: z.number().nullable(),
    time_limit_seconds: z.number().nullable().meta({ description: 'null: no limit' }),
    work_dir: z.string().nullable(),
    stdout_path: z.string().nullable().meta({ description: 'With %j-style patterns expanded and the default slurm-<id>.out filled in' }),
    stderr_path: z.string().nullable(),
    exit_code: z.string().nullable().meta({ description: '"code:signal" once ended' }),
  })
  .meta({ id: 'SlurmJob' });

export const SlurmJobsResponse = z
  .object({
    user_id: z.string(),
    session_id: z.string(),
    host: z.string(),
    source: z.enum(['json', 'format']).nullable().meta({ description: 'json: squeue --json; format: squeue -o (builds without JSON)' }),
    fetched_at: z.string().nullable().meta({ description: 'When the list was read (ISO); null before the first good read' }),
    stale: z.boolean().meta({ description: 'The latest read failed or timed out: this is the last good list' }),
    error: z.string().optional(),
    jobs: z.array(SlurmJob).meta({ description: 'Pending and running jobs, then recently finished ones' }),
  })
  .meta({ id: 'SlurmJobs' });

export const SlurmJobResponse = z
  .object({ user_id: z.string(), session_id: z.string(), host: z.string(), job: SlurmJob })
  .meta({ id: 'SlurmJobDetails' });

export const SlurmCancelResponse = z.object({ job_id: z.string(), cancelled: z.literal(true) }).meta({ id: 'SlurmCancel' });

export const SlurmStream = z.enum(['stdout', 'stderr']);

export const SlurmOutputQuery = SlurmQuery.extend({
  stream: SlurmStream.default('stdout'),
  tail_bytes: z.coerce.number().int().min(0).max(SLURM_MAX_TAIL_BYTES).default(SLURM_DEFAULT_TAIL_BYTES),
});

export const SlurmOutputResponse = z
  .object({
    job_id: z.string(),
    stream: SlurmStream,
    path: z.string(),
    size: z.number().int(),
    offset: z.number().int().meta({ description: 'Where `data` starts in the file' }),
    data: z.string().meta({ description: 'UTF-8 text of the file from offset to its end' }),
  })
  .meta({ id: 'SlurmOutput' });

export const SlurmJobGpusResponse = GpuSnapshot.extend({
  job_id: z.string(),
  node: z.string(),
  indices: z.array(z.number().int()).meta({ description: "The job's GPU indices on that node; gpus holds only these" }),
}).meta({ id: 'SlurmJobGpuSnapshot' });

export const SlurmJobGpusQuery = SlurmQuery.extend({ node: z.string().max(128).regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/).optional() });

const JOB_ALERT_KINDS = ['started', 'completed', 'failed', 'timeout', 'cancelled', 'out_of_memory'] as const;

/** A job changed state: sent on the `alert` event beside GPU alerts, told apart by `type`. */
export const JobAlert = z
  .object({
    id: z.string(),
    type: z.literal('slurm'),
    kind: z.enum(JOB_ALERT_KINDS),
    user_id: z.string(),
    session_id: z.string(),
    host: z.string(),
    job_id: z.string(),
    job_name: z.string(),
    state: SlurmJobState,
    message: z.string(),
    fired_at: z.string(),
  })
  .meta({ id: 'SlurmJobAlert' });

/** Socket payloads. */
export const JobsWatchPayload = SlurmQuery;
export const JobFollowPayload = SlurmQuery.extend({
  job_id: SlurmJobId,
  stream: SlurmStream.default('stdout'),
  tail_bytes: z.number().int().min(0).max(SLURM_MAX_TAIL_BYTES).default(SLURM_DEFAULT_TAIL_BYTES),
});
export const JobUnfollowPayload = z.object({ user_id: UserId.optional(), job_id: SlurmJobId.optional() });

export const JobsWatchAck = z.object({ user_id: z.string(), session_id: z.string(), interval_ms: z.number(), jobs: SlurmJobsResponse.nullable() });
export const JobFollowAck = z.object({ follow_id: z.string(), job_id: z.string(), stream: SlurmStream, path: z.string() });

/** New bytes of a followed job's output. */
export interface JobOutputEvent {
  follow_id: string;
  job_id: string;
  stream: z.infer<typeof SlurmStream>;
  offset: number;
  data: string;
}

/** A follow ended: the job ended (and its last bytes were sent), the file went, or the session dropped. */
export interface JobOutputEndEvent {
  follow_id: string;
  job_id: string;
  reason: string;
}

export type SlurmJob = z.infer<typeof SlurmJob>;
export type SlurmJobsResponse = z.infer<typeof SlurmJobsResponse>;
export type SlurmJobResponse = z.infer<typeof SlurmJobResponse>;
export type SlurmOutputResponse = z.infer<typeof SlurmOutputResponse>;
export type SlurmJobGpusResponse = z.infer<typeof SlurmJobGpusResponse>;
export type SlurmStream = z.infer<typeof SlurmStream>;
export type JobAlert = z.infer<typeof JobAlert>;
export type JobAlertKind = JobAlert['kind'];
export type JobsWatchAck = z.infer<typeof JobsWatchAck>;
export type JobFollowAck = z.infer<typeof JobFollowAck>;
