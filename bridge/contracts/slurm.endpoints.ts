// The Slurm endpoints: a session's jobs, one job, cancelling, output and the job's GPUs.
import { defineEndpoint } from './endpoint.js';
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
} from './slurm.js';

export const slurmEndpoints = {
  jobs: defineEndpoint({ method: 'get', path: '/api/slurm/jobs', query: SlurmQuery, response: SlurmJobsResponse }),
  job: defineEndpoint({ method: 'get', path: '/api/slurm/jobs/:id', params: SlurmJobParams, query: SlurmQuery, response: SlurmJobResponse }),
  cancelJob: defineEndpoint({ method: 'post', path: '/api/slurm/jobs/:id/cancel', params: SlurmJobParams, query: SlurmQuery, response: SlurmCancelResponse }),
  jobOutput: defineEndpoint({ method: 'get', path: '/api/slurm/jobs/:id/output', params: SlurmJobParams, query: SlurmOutputQuery, response: SlurmOutputResponse }),
  jobGpus: defineEndpoint({ method: 'get', path: '/api/slurm/jobs/:id/gpus', params: SlurmJobParams, query: SlurmJobGpusQuery, response: SlurmJobGpusResponse }),
};
