// HTTP adapter for GPU monitoring: snapshots, history, alert rules and fired alerts. Thin: parse, call
// GpuService, answer. Host problems (no nvidia-smi, driver down, timeout) are 200 with `error`, not 5xx.
import { gpuEndpoints } from '../contracts/gpu.endpoints.js';
import { defineRoute, type AnyRoute } from '../transport/route.js';
import type { GpuService } from './gpu.service.js';

export function gpuRoutes(gpu: GpuService): AnyRoute[] {
  return [
    defineRoute(gpuEndpoints.snapshot, {
      tag: 'gpu',
      summary: "The GPUs of a session's host now (nvidia-smi over the session)",
      description:
        'One channel exec on the existing session. A host without nvidia-smi, without devices or with its driver down answers ' +
        '200 with gpus: [] and `error`; a sample that timed out answers the last good data with stale: true and its age.',
      errors: [403, 404],
      handler: ({ query, userId }) => gpu.snapshot(userId(query.user_id), query.session_id),
    }),
    defineRoute(gpuEndpoints.history, {
      tag: 'gpu',
      summary: 'Per GPU, utilization, memory used, temperature and power over the last minutes',
      description: 'From a ring buffer per session (30 minutes, one point per 2 s at most), filled while the session is sampled.',
      errors: [403, 404],
      handler: ({ query, userId }) => gpu.history(userId(query.user_id), query.session_id, query.minutes),
    }),
    defineRoute(gpuEndpoints.addRule, {
      tag: 'gpu',
      summary: 'Add a GPU alert rule to a session',
      description:
        'utilization_below: GPU n under threshold_pct for `minutes` (a job finished or died). memory_freed: used memory of GPU n ' +
        'falls under below_mib after being at or over it. A firing rule emits an `alert` socket event and is listed at /api/gpu/alerts.',
      errors: [403, 409],
      handler: async ({ body, userId }) => gpu.addRule(userId(body.user_id), body),
    }),
    defineRoute(gpuEndpoints.rules, {
      tag: 'gpu',
      summary: "A user's GPU alert rules",
      errors: [403],
      handler: async ({ query, userId }) => {
        const user = userId(query.user_id);
        return { user_id: user, rules: await gpu.listRules(user, query.session_id) };
      },
    }),
    defineRoute(gpuEndpoints.deleteRule, {
      tag: 'gpu',
      summary: 'Delete a GPU alert rule',
      errors: [403, 404],
      handler: async ({ params, query, userId }) => {
        await gpu.deleteRule(userId(query.user_id), params.id);
        return { deleted: true as const, id: params.id };
      },
    }),
    defineRoute(gpuEndpoints.alerts, {
      tag: 'gpu',
      summary: 'GPU alerts that fired (newest first; kept in memory, the last 200 per user)',
      errors: [403],
      handler: ({ query, userId }) => {
        const user = userId(query.user_id);
        return { user_id: user, alerts: gpu.firedAlerts(user, query.session_id) };
      },
    }),
  ];
}
