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
  // TLS on the LAN (bridge/tls): extra names, the user's own certificate, and the explicit opt-out.
  VIGILINK_TLS_NAMES: z
    .string()
    .default('')
    .transform((v) => v.split(',').map((n) => n.trim()).filter(Boolean)),
  VIGILINK_TLS_CERT: z.string().default(''),
  VIGILINK_TLS_KEY: z.string().default(''),
  VIGILINK_INSECURE_LAN_HTTP: flag.default(false),
  VIGILINK_TLS_CHECK_SECONDS: seconds.default(5),
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
  /** VIGILINK_TLS_NAMES: DNS names the workstation answers to besides its addresses and <host>.local. */
  tlsNames: readonly string[];
  tls: {
    /** VIGILINK_TLS_CERT / VIGILINK_TLS_KEY: the user's certificate instead of the local CA; null = local CA. */
    userCertificate: { certFile: string; keyFile: string } | null;
    /** VIGILINK_INSECURE_LAN_HTTP: plain HTTP from the LAN reaches the app too (a warning at start, a banner in the UI). */
    insecureLanHttp: boolean;
    /** VIGILINK_TLS_CHECK_SECONDS: how often LAN addresses (local CA) or the user's files are checked. */
    checkIntervalMs: number;
  };
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
  if (Boolean(c.VIGILINK_TLS_CERT) !== Boolean(c.VIGILINK_TLS_KEY)) {
    throw new ConfigError('Invalid configuration: VIGILINK_TLS_CERT and VIGILINK_TLS_KEY go together: set both or neither');
  }
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
    tlsNames: c.VIGILINK_TLS_NAMES,
    tls: {
      userCertificate: c.VIGILINK_TLS_CERT ? { certFile: path.resolve(c.VIGILINK_TLS_CERT), keyFile: path.resolve(c.VIGILINK_TLS_KEY) } : null,
      insecureLanHttp: c.VIGILINK_INSECURE_LAN_HTTP,
      checkIntervalMs: c.VIGILINK_TLS_CHECK_SECONDS * 1000,
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
