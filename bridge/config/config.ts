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
  });
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}
