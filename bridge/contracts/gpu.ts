// Wire shapes of GPU monitoring: snapshots, history, alert rules and fired alerts, and the gpu socket events.
// zod only: the renderer imports these too. Values nvidia-smi cannot report are null, never 0.
import { z } from 'zod';
import { SessionId, UserId } from './common.js';

/** Sample intervals a watcher may ask for (ms). */
export const GPU_DEFAULT_INTERVAL_MS = 2000;
export const GPU_MIN_INTERVAL_MS = 500;
/** How far back the history goes (the ring buffer holds this much at the default interval). */
export const GPU_HISTORY_MINUTES = 30;

/** In place of an SSH session id: the user's VPN container (samples run inside it). */
export const CONTAINER_SESSION_ID = '@container';

/** What GPU calls sample: an SSH session, or the user's VPN container. */
export const GpuSessionId = z
  .union([SessionId, z.literal(CONTAINER_SESSION_ID)])
  .meta({ description: "An SSH session id, or `@container` for the user's VPN container" });

const nullableNumber = z.number().nullable();

export const GpuProcess = z
  .object({
    pid: z.number().int(),
    user: z.string().nullable().meta({ description: 'Owner of the process on the host (null when ps cannot see it, e.g. another PID namespace)' }),
    name: z.string().nullable(),
    used_memory_mib: nullableNumber,
  })
  .meta({ id: 'GpuProcess' });

export const Gpu = z
  .object({
    index: z.number().int(),
    uuid: z.string().nullable(),
    name: z.string().nullable(),
    utilization_gpu_pct: nullableNumber,
    utilization_memory_pct: nullableNumber,
    memory_used_mib: nullableNumber,
    memory_total_mib: nullableNumber,
    temperature_c: nullableNumber,
    power_draw_w: nullableNumber,
    power_limit_w: nullableNumber,
    fan_speed_pct: nullableNumber,
    pstate: z.string().nullable(),
    sm_clock_mhz: nullableNumber,
    processes: z.array(GpuProcess).meta({ description: 'Compute processes only (what --query-compute-apps lists)' }),
  })
  .meta({ id: 'Gpu' });

export const GpuSnapshot = z
  .object({
    user_id: z.string(),
    session_id: z.string(),
    host: z.string(),
    sampled_at: z.string().nullable().meta({ description: 'When the data was read (ISO time); null before the first good sample' }),
    stale: z.boolean().meta({ description: 'The latest sample failed (timeout, dropped channel): this is the last good data' }),
    age_seconds: z.number().nullable().meta({ description: 'Seconds since sampled_at' }),
    source: z.enum(['query', 'xml']).nullable().meta({ description: 'query: --query-gpu CSV; xml: the nvidia-smi -q -x fallback' }),
    gpus: z.array(Gpu),
    error: z.string().optional().meta({ description: 'Why there is no (fresh) data, in plain words' }),
  })
  .meta({ id: 'GpuSnapshot' });

export const GpuQuery = z.object({
  user_id: UserId.optional(),
  session_id: GpuSessionId.optional().meta({ description: 'Default: session `default`, else the most recent active one; `@container`: the VPN container' }),
});

export const GpuHistoryQuery = GpuQuery.extend({
  minutes: z.coerce.number().positive().max(GPU_HISTORY_MINUTES).default(GPU_HISTORY_MINUTES),
});

export const GpuSeries = z
  .object({
    index: z.number().int(),
    uuid: z.string().nullable(),
    name: z.string().nullable(),
    t: z.array(z.number()).meta({ description: 'Sample times, epoch milliseconds, oldest first' }),
    utilization_gpu_pct: z.array(nullableNumber),
    memory_used_mib: z.array(nullableNumber),
    temperature_c: z.array(nullableNumber),
    power_draw_w: z.array(nullableNumber),
  })
  .meta({ id: 'GpuSeries' });

export const GpuHistoryResponse = z
  .object({
    user_id: z.string(),
    session_id: z.string(),
    host: z.string(),
    minutes: z.number(),
    step_ms: z.number().meta({ description: 'At most one point per step is kept' }),
    gpus: z.array(GpuSeries),
  })
  .meta({ id: 'GpuHistory' });

const GpuIndex = z.number().int().min(0).max(1023);

export const AlertRuleBody = z
  .discriminatedUnion('kind', [
    z.object({
      kind: z.literal('utilization_below'),
      user_id: UserId.optional(),
      session_id: GpuSessionId,
      gpu_index: GpuIndex,
      threshold_pct: z.number().min(0).max(100),
      minutes: z.number().positive().max(24 * 60).meta({ description: 'How long utilization must stay under the threshold' }),
    }),
    z.object({
      kind: z.literal('memory_freed'),
      user_id: UserId.optional(),
      session_id: GpuSessionId,
      gpu_index: GpuIndex,
      below_mib: z.number().positive().max(10_000_000).default(1024).meta({ description: 'Fires when used memory falls under this after being at or over it' }),
    }),
  ])
  .meta({ id: 'GpuAlertRuleRequest' });

export const AlertRule = z
  .object({
    id: z.string(),
    user_id: z.string(),
    session_id: z.string(),
    kind: z.enum(['utilization_below', 'memory_freed']),
    gpu_index: z.number().int(),
    threshold_pct: z.number().optional(),
    minutes: z.number().optional(),
    below_mib: z.number().optional(),
    created_at: z.string(),
    last_fired_at: z.string().nullable(),
  })
  .meta({ id: 'GpuAlertRule' });

export const AlertRulesQuery = z.object({ user_id: UserId.optional(), session_id: GpuSessionId.optional() });
export const AlertRuleParams = z.object({ id: z.string().min(1).max(64) });
export const AlertRuleDeleteQuery = z.object({ user_id: UserId.optional() });

export const AlertRulesResponse = z.object({ user_id: z.string(), rules: z.array(AlertRule) }).meta({ id: 'GpuAlertRules' });
export const AlertRuleDeleteResponse = z.object({ deleted: z.literal(true), id: z.string() }).meta({ id: 'GpuAlertRuleDeleted' });

export const FiredAlert = z
  .object({
    id: z.string(),
    type: z.literal('gpu'),
    rule_id: z.string(),
    kind: z.enum(['utilization_below', 'memory_freed']),
    user_id: z.string(),
    session_id: z.string(),
    host: z.string(),
    gpu_index: z.number().int(),
    gpu_uuid: z.string().nullable(),
    value: z.number().meta({ description: 'The reading that fired the rule (% or MiB)' }),
    message: z.string(),
    fired_at: z.string(),
  })
  .meta({ id: 'GpuAlert' });

export const AlertsResponse = z.object({ user_id: z.string(), alerts: z.array(FiredAlert) }).meta({ id: 'GpuAlerts' });

/** Socket payloads. */
export const GpuWatchPayload = z.object({
  user_id: UserId.optional(),
  session_id: GpuSessionId.optional(),
  interval_ms: z.number().int().min(GPU_MIN_INTERVAL_MS).max(3_600_000).default(GPU_DEFAULT_INTERVAL_MS),
});
export const GpuUnwatchPayload = z.object({
  user_id: UserId.optional(),
  session_id: GpuSessionId.optional().meta({ description: 'Omitted: every session this socket watches for the user' }),
});

export const GpuWatchAck = z.object({ user_id: z.string(), session_id: z.string(), interval_ms: z.number(), snapshot: GpuSnapshot.nullable() });
export const GpuUnwatchAck = z.object({ user_id: z.string(), unwatched: z.array(z.string()) });

/** The `gpu` key of UserState: which sessions are sampled, and why. */
export const GpuWatchStatus = z
  .object({
    sessions: z.array(
      z.object({
        session_id: z.string(),
        watchers: z.number().int(),
        rules: z.number().int(),
        polling: z.boolean(),
        interval_ms: z.number().nullable(),
        sampled_at: z.string().nullable(),
        stale: z.boolean(),
        error: z.string().nullable(),
      }),
    ),
  })
  .meta({ id: 'GpuWatchStatus' });

export type GpuProcess = z.infer<typeof GpuProcess>;
export type Gpu = z.infer<typeof Gpu>;
export type GpuSnapshot = z.infer<typeof GpuSnapshot>;
export type GpuSeries = z.infer<typeof GpuSeries>;
export type GpuHistoryResponse = z.infer<typeof GpuHistoryResponse>;
export type AlertRuleBody = z.infer<typeof AlertRuleBody>;
export type AlertRule = z.infer<typeof AlertRule>;
export type FiredAlert = z.infer<typeof FiredAlert>;
export type GpuWatchAck = z.infer<typeof GpuWatchAck>;
export type GpuUnwatchAck = z.infer<typeof GpuUnwatchAck>;
export type GpuWatchStatus = z.infer<typeof GpuWatchStatus>;
