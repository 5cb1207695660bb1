// HTTP adapter for Slurm jobs: the list, one job, cancel, its output tail and its GPUs. Thin: parse, call
// SlurmService, answer. A host without Slurm is 404 saying so; a refused cancel is 403 with Slurm's words.
import {
  SlurmCancelResponse,
  SlurmJobGpusQuery,
  SlurmJobGpusResponse,
  SlurmJobParams,
  SlurmJobResponse,
  SlurmJobsResponse,
  SlurmOutputQuery,
  SlurmOutputResponse,
  SlurmQuery,
} from '../contracts/slurm.js';
import { defineRoute, type AnyRoute } from '../transport/route.js';
import type { SlurmService } from './slurm.service.js';

export function slurmRoutes(slurm: SlurmService): AnyRoute[] {
  return [
    defineRoute({
      method: 'get',
      path: '/api/slurm/jobs',
      tag: 'slurm',
      summary: "The user's Slurm jobs on a session's host (squeue), with recently finished ones",
      description:
        'squeue --me --json where the build has it, else squeue -o. One read per session per interval however many callers ask; ' +
        'a read that fails or times out answers the last good list with stale: true and `error`.',
      query: SlurmQuery,
      response: SlurmJobsResponse,
      errors: [403, 404],
      handler: ({ query, userId }) => slurm.list(userId(query.user_id), query.session_id),
    }),
    defineRoute({
      method: 'get',
      path: '/api/slurm/jobs/:id',
      tag: 'slurm',
      summary: 'One job in detail (scontrol show job -d), GPU indices per node included',
      params: SlurmJobParams,
      query: SlurmQuery,
      response: SlurmJobResponse,
      errors: [400, 403, 404, 502, 504],
      handler: ({ params, query, userId }) => slurm.job(userId(query.user_id), query.session_id, params.id),
    }),
    defineRoute({
      method: 'post',
      path: '/api/slurm/jobs/:id/cancel',
      tag: 'slurm',
      summary: 'Cancel a job (scancel)',
      description: 'A job Slurm does not know is 404; one Slurm refuses to cancel (another user\'s) is 403 with Slurm\'s message.',
      params: SlurmJobParams,
      query: SlurmQuery,
      response: SlurmCancelResponse,
      errors: [400, 403, 404, 502, 504],
      handler: ({ params, query, userId }) => slurm.cancel(userId(query.user_id), query.session_id, params.id),
    }),
    defineRoute({
      method: 'get',
      path: '/api/slurm/jobs/:id/output',
      tag: 'slurm',
      summary: "The end of a job's stdout or stderr file, read over SFTP",
      description: 'Follow it live with the socket event job:follow.',
      params: SlurmJobParams,
      query: SlurmOutputQuery,
      response: SlurmOutputResponse,
      errors: [400, 403, 404, 502, 504],
      handler: ({ params, query, userId }) => slurm.output(userId(query.user_id), query.session_id, params.id, query.stream, query.tail_bytes),
    }),
    defineRoute({
      method: 'get',
      path: '/api/slurm/jobs/:id/gpus',
      tag: 'slurm',
      summary: "The GPUs a running job holds, sampled inside the job (srun --jobid --overlap nvidia-smi)",
      description: 'Only the job\'s GPU indices on the node (nvidia-smi may see the whole node); a job holding no GPUs is 409.',
      params: SlurmJobParams,
      query: SlurmJobGpusQuery,
      response: SlurmJobGpusResponse,
      errors: [400, 403, 404, 409, 502, 504],
      handler: ({ params, query, userId }) => slurm.jobGpus(userId(query.user_id), query.session_id, params.id, query.node),
    }),
  ];
}
