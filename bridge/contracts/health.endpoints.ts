// The liveness endpoint, and the answer it gives.
import { z } from 'zod';
import { defineEndpoint } from './endpoint.js';

export const HealthResponse = z.object({ status: z.literal('ok') }).meta({ id: 'Health' });

export const healthEndpoints = {
  check: defineEndpoint({ method: 'get', path: '/healthz', response: HealthResponse }),
};
