// HTTP adapter for Slurm jobs: the list, one job, cancel, its output tail and its GPUs. Thin: parse, call
// SlurmService, answer. A host without Slurm is 404 saying so; a refused cancel is 403 with Slurm's words.
import { slurmEndpoints } from '../contracts/slurm.endpoints.js';
import { defineRoute, type AnyRoute } from '../transport/route.js';
import type { SlurmService } from './slurm.service.js';

export function slurmRoutes(slurm: SlurmService): AnyRoute[] {
  return [
    defineRoute(slurmEndpoints.jobs, {
      tag: 'slurm',
      summary: "The user's Slurm jobs on a session's host (squeue), with recently finished ones",
      description:
        'squeue --me --json where the build has it, else squeue -o. One read per session per interval however many callers ask; ' +
        'a read that fails or times out answers the last good list with stale: true and `error`.',
      errors: [403, 404],
      handler: ({ query, userId }) => slurm.list(userId(query.user_id), query.session_id),
    }),
    defineRoute(slurmEndpoints.job, {
      tag: 'slurm',
      summary: 'One job in detail (scontrol show job -d), GPU indices per node included',
      errors: [400, 403, 404, 502, 504],
      handler: ({ params, query, userId }) => slurm.job(userId(query.user_id), query.session_id, params.id),
    }),
    defineRoute(slurmEndpoints.cancelJob, {
      tag: 'slurm',
      summary: 'Cancel a job (scancel)',
      description: 'A job Slurm does not know is 404; one Slurm refuses to cancel (another user\'s) is 403 with Slurm\'s message.',
      errors: [400, 403, 404, 502, 504],
      handler: ({ params, query, userId }) => slurm.cancel(userId(query.user_id), query.session_id, params.id),
    }),
    defineRoute(slurmEndpoints.jobOutput, {
      tag: 'slurm',
      summary: "The end of a job's stdout or stderr file, read over SFTP",
      description: 'Follow it live with the socket event job:follow.',
      errors: [400, 403, 404, 502, 504],
      handler: ({ params, query, userId }) => slurm.output(userId(query.user_id), query.session_id, params.id, query.stream, query.tail_bytes),
    }),
    defineRoute(slurmEndpoints.jobGpus, {
      tag: 'slurm',
      summary: "The GPUs a running job holds, sampled inside the job (srun --jobid --overlap nvidia-smi)",
      description: 'Only the job\'s GPU indices on the node (nvidia-smi may see the whole node); a job holding no GPUs is 409.',
      errors: [400, 403, 404, 409, 502, 504],
      handler: ({ params, query, userId }) => slurm.jobGpus(userId(query.user_id), query.session_id, params.id, query.node),
    }),
  ];
}
