// The bridge's configuration: one zod schema with defaults, parsed from the environment once,
// frozen and passed in. This is the only module that reads process.env.
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';

const flag = z
  .enum(['0', '1', 'true', 'false', 'yes', 'no', 'on', 'off', ''])
  .transform((v) => ['1', 'true', 'yes', 'on'].includes(v));

const seconds = z.coerce.number().positive();
const positiveInt = z.coerce.number().int().positive();

/** Environment variable -> setting. Each has a default documented in the README. */
export const configSchema = z.object({
  VIGILINK_HOST: z.string().min(1).default('0.0.0.0'),
  VIGILINK_PORT: z.coerce.number().int().min(0).max(65535).default(8000),
  VIGILINK_DATA_DIR: z.string().min(1).default(path.join(os.homedir(), '.vigilink')),
  VIGILINK_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  VIGILINK_CORS_ORIGINS: z
    .string()
    .default('')
    .transform((v) => v.split(',').map((o) => o.trim()).filter(Boolean)),
  SSH_MAX_SESSIONS_PER_USER: positiveInt.default(5),
  SSH_CONNECT_TIMEOUT_SECONDS: seconds.default(15),
  SSH_MAX_CHANNELS_PER_CONNECTION: positiveInt.max(64).default(8),
  SSH_KEEPALIVE_SECONDS: seconds.default(15),
  COMMAND_OUTPUT_LIMIT_BYTES: positiveInt.default(1024 * 1024),
  FS_READ_MAX_BYTES: positiveInt.default(4 * 1024 * 1024),
  VIGILINK_ALLOW_LOCAL_EXEC: flag.default(false),
  // Pairing (bridge/pairing) and interactive terminals (bridge/terminal).
  VIGILINK_PUBLIC_URL: z
    .union([z.literal(''), z.url({ protocol: /^https?$/ })])
    .optional()
    .transform((v) => (v ? v.replace(/\/+$/, '') : null)),
  PAIR_OFFER_TTL_SECONDS: seconds.default(120),
  PAIR_CLAIMS_PER_MINUTE: positiveInt.default(10),
  TERMINALS_MAX_PER_USER: positiveInt.default(8),
  // VPN containers (bridge/vpn): Docker endpoint, image, network, timings and per-container limits.
  DOCKER_HOST: z.string().default(''),
  DOCKER_IMAGE: z.string().min(1).default('vigilink-backend:latest'),
  VIGILINK_DOCKER_NETWORK: z.string().min(1).default('bridge'),
  VPN_CONNECT_TIMEOUT_SECONDS: seconds.default(30),
  VPN_COOLDOWN_SECONDS: z.coerce.number().min(0).default(10),
  VPN_HEALTH_INTERVAL_SECONDS: seconds.default(3),
  CONTAINER_TIMEOUT: z.coerce.number().min(0).default(0),
  VPN_CONTAINER_MEMORY_MB: positiveInt.default(512),
  VPN_CONTAINER_CPUS: z.coerce.number().positive().default(1),
  VPN_CONTAINER_PIDS_LIMIT: positiveInt.default(256),
  // GPU monitoring (bridge/gpu): how long one nvidia-smi sample may take before it counts as hung.
  GPU_SAMPLE_TIMEOUT_SECONDS: seconds.max(300).default(10),
  // Slurm jobs (bridge/slurm): how often a watched session's jobs are read, how long one Slurm command may
  // take before the last good list is served as stale, and how often a followed output file is read.
  SLURM_POLL_INTERVAL_SECONDS: seconds.min(1).max(3600).default(15),
  SLURM_COMMAND_TIMEOUT_SECONDS: seconds.max(300).default(10),
  SLURM_FOLLOW_INTERVAL_MS: positiveInt.min(100).max(60_000).default(1000),
});

type ConfigShape = z.output<typeof configSchema>;

export interface BridgeConfig {
  host: string;
  port: number;
  dataDir: string;
  logLevel: ConfigShape['VIGILINK_LOG_LEVEL'];
  corsOrigins: readonly string[];
  ssh: {
    maxSessionsPerUser: number;
    connectTimeoutMs: number;
    maxChannelsPerConnection: number;
    keepaliveIntervalMs: number;
  };
  commandOutputLimitBytes: number;
  fsReadMaxBytes: number;
  allowLocalExec: boolean;
  pairing: {
    /** Base of pairing URLs instead of the LAN address (a tunnel or reverse proxy); no trailing slash. */
    publicUrl: string | null;
    offerTtlMs: number;
    claimsPerMinute: number;
  };
  terminals: { maxPerUser: number };
  vpn: {
    /** DOCKER_HOST as docker itself reads it; '' means the local socket. */
    dockerHost: string;
    image: string;
    network: string;
    connectTimeoutMs: number;
    cooldownMs: number;
    healthIntervalMs: number;
    /** Containers older than this are removed; null = never. */
    containerTimeoutMs: number | null;
    memoryBytes: number;
    nanoCpus: number;
    pidsLimit: number;
  };
  gpu: { sampleTimeoutMs: number };
  slurm: { pollIntervalMs: number; commandTimeoutMs: number; followIntervalMs: number };
}

export class ConfigError extends Error {}

/** Parse the environment (or any record of strings) into a frozen config; throws ConfigError naming the variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env): BridgeConfig {
  const parsed = configSchema.safeParse(env);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new ConfigError(`Invalid configuration: ${issues}`);
  }
  const c = parsed.data;
  return deepFreeze({
    host: c.VIGILINK_HOST,
    port: c.VIGILINK_PORT,
    dataDir: path.resolve(c.VIGILINK_DATA_DIR),
    logLevel: c.VIGILINK_LOG_LEVEL,
    corsOrigins: c.VIGILINK_CORS_ORIGINS,
    ssh: {
      maxSessionsPerUser: c.SSH_MAX_SESSIONS_PER_USER,
      connectTimeoutMs: c.SSH_CONNECT_TIMEOUT_SECONDS * 1000,
      maxChannelsPerConnection: c.SSH_MAX_CHANNELS_PER_CONNECTION,
      keepaliveIntervalMs: c.SSH_KEEPALIVE_SECONDS * 1000,
    },
    commandOutputLimitBytes: c.COMMAND_OUTPUT_LIMIT_BYTES,
    fsReadMaxBytes: c.FS_READ_MAX_BYTES,
    allowLocalExec: c.VIGILINK_ALLOW_LOCAL_EXEC,
    pairing: {
      publicUrl: c.VIGILINK_PUBLIC_URL,
      offerTtlMs: c.PAIR_OFFER_TTL_SECONDS * 1000,
      claimsPerMinute: c.PAIR_CLAIMS_PER_MINUTE,
    },
    terminals: { maxPerUser: c.TERMINALS_MAX_PER_USER },
    vpn: {
      dockerHost: c.DOCKER_HOST,
      image: c.DOCKER_IMAGE,
      network: c.VIGILINK_DOCKER_NETWORK,
      connectTimeoutMs: c.VPN_CONNECT_TIMEOUT_SECONDS * 1000,
      cooldownMs: c.VPN_COOLDOWN_SECONDS * 1000,
      healthIntervalMs: c.VPN_HEALTH_INTERVAL_SECONDS * 1000,
      containerTimeoutMs: c.CONTAINER_TIMEOUT > 0 ? c.CONTAINER_TIMEOUT * 1000 : null,
      memoryBytes: c.VPN_CONTAINER_MEMORY_MB * 1024 * 1024,
      nanoCpus: Math.round(c.VPN_CONTAINER_CPUS * 1e9),
      pidsLimit: c.VPN_CONTAINER_PIDS_LIMIT,
    },
    gpu: { sampleTimeoutMs: c.GPU_SAMPLE_TIMEOUT_SECONDS * 1000 },
    slurm: {
      pollIntervalMs: c.SLURM_POLL_INTERVAL_SECONDS * 1000,
      commandTimeoutMs: c.SLURM_COMMAND_TIMEOUT_SECONDS * 1000,
      followIntervalMs: c.SLURM_FOLLOW_INTERVAL_MS,
    },
  });
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}
