// The bridge's configuration: one zod schema with defaults, parsed from the environment once,
// frozen and passed in. This is the only module that reads process.env.
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { formatZodIssues } from '../core/zod-issues.js';

const flag = z
  .enum(['0', '1', 'true', 'false', 'yes', 'no', 'on', 'off', ''])
  .transform((v) => ['1', 'true', 'yes', 'on'].includes(v));

const seconds = z.coerce.number().positive();
/** A comma-separated list, blanks dropped. */
const nameList = z
  .string()
  .default('')
  .transform((v) => v.split(',').map((o) => o.trim()).filter(Boolean));
const positiveInt = z.coerce.number().int().positive();

/** Environment variable -> setting. Each has a default documented in the README. */
const envSchema = z.object({
  VIGILINK_HOST: z.string().min(1).default('0.0.0.0'),
  VIGILINK_PORT: z.coerce.number().int().min(0).max(65535).default(8000),
  VIGILINK_DATA_DIR: z.string().min(1).default(path.join(os.homedir(), '.vigilink')),
  VIGILINK_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  VIGILINK_CORS_ORIGINS: nameList,
  // The Host header must name the bridge (DNS rebinding): names for its TLS certificate, and extra names.
  VIGILINK_TLS_NAMES: nameList,
  VIGILINK_ALLOWED_HOSTS: nameList,
  // The one-time sign-in link `npm run serve` prints, and the owner session it turns into.
  SIGNIN_LINK_TTL_SECONDS: seconds.max(3600).default(300),
  OWNER_SESSION_IDLE_MINUTES: z.coerce.number().positive().default(12 * 60),
  SSH_MAX_SESSIONS_PER_USER: positiveInt.default(5),
  SSH_CONNECT_TIMEOUT_SECONDS: seconds.default(15),
  SSH_MAX_CHANNELS_PER_CONNECTION: positiveInt.max(64).default(8),
  SSH_KEEPALIVE_SECONDS: seconds.default(15),
  SSH_CHANNEL_WAIT_SECONDS: seconds.default(30),
  SSH_CHANNELS_RESERVED_FOR_COMMANDS: z.coerce.number().int().min(0).max(64).default(2),
  DOWNLOAD_STALL_SECONDS: seconds.default(60),
  // An encrypted key's bcrypt KDF runs in a worker, refused above this many rounds (OpenSSH writes 16)
  // and stopped after this long.
  SSH_KEY_MAX_KDF_ROUNDS: positiveInt.default(1024),
  SSH_KEY_PARSE_TIMEOUT_SECONDS: seconds.max(600).default(5),
  COMMAND_OUTPUT_LIMIT_BYTES: positiveInt.default(1024 * 1024),
  FS_READ_MAX_BYTES: positiveInt.default(4 * 1024 * 1024),
  FS_LIST_MAX_ENTRIES: positiveInt.default(10_000),
  VIGILINK_ALLOW_LOCAL_EXEC: flag.default(false),
  VIGILINK_DEVICE_LOCAL_TARGETS: flag.default(false),
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
  // As the docker CLI reads them: any non-empty DOCKER_TLS_VERIFY (even '0') turns verification on.
  DOCKER_TLS_VERIFY: z.string().default(''),
  DOCKER_CERT_PATH: z.string().default(''),
  DOCKER_IMAGE: z.string().min(1).default('vigilink-backend:latest'),
  // Each container gets a network of its own; this one ('' = none) is joined as well, e.g. where a VPN server lives.
  VIGILINK_DOCKER_NETWORK: z.string().default(''),
  VPN_CONTAINER_NETWORK_INTERNAL: flag.default(false),
  VPN_CONNECT_TIMEOUT_SECONDS: seconds.default(30),
  VPN_COOLDOWN_SECONDS: z.coerce.number().min(0).default(10),
  VPN_HEALTH_INTERVAL_SECONDS: seconds.default(3),
  VPN_PROMPT_TIMEOUT_SECONDS: seconds.default(120),
  CONTAINER_TIMEOUT: z.coerce.number().min(0).default(0),
  VPN_CONTAINER_MEMORY_MB: positiveInt.default(512),
  VPN_CONTAINER_CPUS: z.coerce.number().positive().default(1),
  VPN_CONTAINER_PIDS_LIMIT: positiveInt.default(256),
  // Users' own execs in their container (commands, file operations, downloads): how many at once, how long to wait for one.
  CONTAINER_EXECS_PER_USER: positiveInt.max(64).default(8),
  CONTAINER_EXEC_WAIT_SECONDS: seconds.default(10),
  // GPU monitoring (bridge/gpu): how long one nvidia-smi sample may take before it counts as hung.
  GPU_SAMPLE_TIMEOUT_SECONDS: seconds.max(300).default(10),
  // TLS on the LAN (bridge/tls): the user's own certificate, and the explicit opt-out (names: VIGILINK_TLS_NAMES above).
  VIGILINK_TLS_CERT: z.string().default(''),
  VIGILINK_TLS_KEY: z.string().default(''),
  VIGILINK_INSECURE_LAN_HTTP: flag.default(false),
  VIGILINK_TLS_CHECK_SECONDS: seconds.default(5),
  // Slurm jobs (bridge/slurm): how often a watched session's jobs are read, how long one Slurm command may
  // take before the last good list is served as stale, and how often a followed output file is read.
  SLURM_POLL_INTERVAL_SECONDS: seconds.min(1).max(3600).default(15),
  SLURM_COMMAND_TIMEOUT_SECONDS: seconds.max(300).default(10),
  SLURM_FOLLOW_INTERVAL_MS: positiveInt.min(100).max(60_000).default(1000),
  // Port forwards (bridge/forwards): the bridge's ports that serve them (one per forward), and when an unused one closes.
  FORWARD_PORTS: z
    .string()
    .regex(/^\d{1,5}-\d{1,5}$/, 'a range like 8100-8199')
    .default('8100-8199')
    .transform((v) => v.split('-').map(Number) as [number, number])
    .refine(([first, last]) => first >= 1 && last <= 65535 && first <= last, 'a range within 1-65535, first <= last'),
  FORWARD_IDLE_MINUTES: z.coerce.number().positive().default(60),
  // `npm run image` (bridge/vpn/image.cli.ts): the Debian mirror debootstrap reads; '' = the image builder's default.
  VIGILINK_DEBIAN_MIRROR: z.string().default(''),
});

/** The settings the bridge reads, in its own words and units, from the parsed environment. */
function settingsFrom(c: z.output<typeof envSchema>) {
  return {
    host: c.VIGILINK_HOST,
    port: c.VIGILINK_PORT,
    dataDir: path.resolve(c.VIGILINK_DATA_DIR),
    logLevel: c.VIGILINK_LOG_LEVEL,
    corsOrigins: c.VIGILINK_CORS_ORIGINS,
    /** Names the bridge's TLS certificate carries (VIGILINK_TLS_NAMES); the Host check accepts them. */
    tlsNames: c.VIGILINK_TLS_NAMES,
    /** Extra names (a reverse proxy's, a hosts-file alias) the Host header may carry. */
    allowedHosts: c.VIGILINK_ALLOWED_HOSTS,
    /** The one-time sign-in link's lifetime, and how long an unused owner session lives. */
    ownerSignIn: { linkTtlMs: c.SIGNIN_LINK_TTL_SECONDS * 1000, sessionIdleMs: c.OWNER_SESSION_IDLE_MINUTES * 60_000 },
    ssh: {
      maxSessionsPerUser: c.SSH_MAX_SESSIONS_PER_USER,
      connectTimeoutMs: c.SSH_CONNECT_TIMEOUT_SECONDS * 1000,
      maxChannelsPerConnection: c.SSH_MAX_CHANNELS_PER_CONNECTION,
      keepaliveIntervalMs: c.SSH_KEEPALIVE_SECONDS * 1000,
      /** How long a request waits for a free channel before 503. */
      channelWaitMs: c.SSH_CHANNEL_WAIT_SECONDS * 1000,
      /** Channels per connection that terminals may not take. */
      channelsReservedForCommands: c.SSH_CHANNELS_RESERVED_FOR_COMMANDS,
      /** The most bcrypt KDF rounds an encrypted OpenSSH private key may ask for. */
      maxKeyKdfRounds: c.SSH_KEY_MAX_KDF_ROUNDS,
      /** How long a private key's parse (its KDF, in a worker) may run before it is stopped and refused. */
      keyParseTimeoutMs: c.SSH_KEY_PARSE_TIMEOUT_SECONDS * 1000,
    },
    /** A download that moves no byte for this long is ended and frees its channel. */
    downloadStallMs: c.DOWNLOAD_STALL_SECONDS * 1000,
    commandOutputLimitBytes: c.COMMAND_OUTPUT_LIMIT_BYTES,
    fsReadMaxBytes: c.FS_READ_MAX_BYTES,
    fsListMaxEntries: c.FS_LIST_MAX_ENTRIES,
    allowLocalExec: c.VIGILINK_ALLOW_LOCAL_EXEC,
    /** Paired devices may open SSH connections to the workstation's own loopback, link-local and interface addresses. */
    allowDeviceLocalTargets: c.VIGILINK_DEVICE_LOCAL_TARGETS,
    pairing: {
      /** Base of pairing URLs instead of the LAN address (a tunnel or reverse proxy); no trailing slash. */
      publicUrl: c.VIGILINK_PUBLIC_URL,
      offerTtlMs: c.PAIR_OFFER_TTL_SECONDS * 1000,
      claimsPerMinute: c.PAIR_CLAIMS_PER_MINUTE,
    },
    terminals: { maxPerUser: c.TERMINALS_MAX_PER_USER },
    vpn: {
      /** DOCKER_HOST as docker itself reads it; '' means the local socket. */
      dockerHost: c.DOCKER_HOST,
      /** TLS with the daemon verified and this client authenticated (ca.pem, cert.pem, key.pem in dockerCertPath). */
      dockerTlsVerify: c.DOCKER_TLS_VERIFY !== '',
      dockerCertPath: path.resolve(c.DOCKER_CERT_PATH || path.join(os.homedir(), '.docker')),
      image: c.DOCKER_IMAGE,
      /** An extra network every container joins besides its own ('' = none). */
      network: c.VIGILINK_DOCKER_NETWORK,
      /** Create each container's own network --internal (no route off the machine): tests, or a VPN server on `network`. */
      ownNetworkInternal: c.VPN_CONTAINER_NETWORK_INTERNAL,
      connectTimeoutMs: c.VPN_CONNECT_TIMEOUT_SECONDS * 1000,
      cooldownMs: c.VPN_COOLDOWN_SECONDS * 1000,
      healthIntervalMs: c.VPN_HEALTH_INTERVAL_SECONDS * 1000,
      /** How long a login form (one-time code, group choice) waits for the user before the login is abandoned. */
      promptTimeoutMs: c.VPN_PROMPT_TIMEOUT_SECONDS * 1000,
      /** Containers older than this are removed; null = never. */
      containerTimeoutMs: c.CONTAINER_TIMEOUT > 0 ? c.CONTAINER_TIMEOUT * 1000 : null,
      memoryBytes: c.VPN_CONTAINER_MEMORY_MB * 1024 * 1024,
      nanoCpus: Math.round(c.VPN_CONTAINER_CPUS * 1e9),
      pidsLimit: c.VPN_CONTAINER_PIDS_LIMIT,
      execsPerUser: c.CONTAINER_EXECS_PER_USER,
      execWaitMs: c.CONTAINER_EXEC_WAIT_SECONDS * 1000,
    },
    /** `npm run image`: the Debian mirror debootstrap reads (VIGILINK_DEBIAN_MIRROR); null = the image builder's default. */
    imageBuild: { debianMirror: c.VIGILINK_DEBIAN_MIRROR || null },
    gpu: { sampleTimeoutMs: c.GPU_SAMPLE_TIMEOUT_SECONDS * 1000 },
    forwards: { firstPort: c.FORWARD_PORTS[0], lastPort: c.FORWARD_PORTS[1], idleMs: c.FORWARD_IDLE_MINUTES * 60_000 },
    tls: {
      /** VIGILINK_TLS_CERT / VIGILINK_TLS_KEY: the user's certificate instead of the local CA; null = local CA. */
      userCertificate: c.VIGILINK_TLS_CERT ? { certFile: path.resolve(c.VIGILINK_TLS_CERT), keyFile: path.resolve(c.VIGILINK_TLS_KEY) } : null,
      /** VIGILINK_INSECURE_LAN_HTTP: plain HTTP from the LAN reaches the app too (a warning at start, a banner in the UI). */
      insecureLanHttp: c.VIGILINK_INSECURE_LAN_HTTP,
      /** VIGILINK_TLS_CHECK_SECONDS: how often LAN addresses (local CA) or the user's files are checked. */
      checkIntervalMs: c.VIGILINK_TLS_CHECK_SECONDS * 1000,
    },
    slurm: {
      pollIntervalMs: c.SLURM_POLL_INTERVAL_SECONDS * 1000,
      commandTimeoutMs: c.SLURM_COMMAND_TIMEOUT_SECONDS * 1000,
      followIntervalMs: c.SLURM_FOLLOW_INTERVAL_MS,
    },
  };
}

/** Environment -> the bridge's settings: validation, defaults and units in one schema. */
const configSchema = envSchema.transform(settingsFrom);

type DeepReadonly<T> = T extends (infer E)[] ? readonly DeepReadonly<E>[] : T extends object ? { readonly [K in keyof T]: DeepReadonly<T[K]> } : T;

/** The bridge's settings as the schema yields them, frozen. */
export type BridgeConfig = DeepReadonly<z.output<typeof configSchema>>;

export class ConfigError extends Error {}

/** Parse the environment (or any record of strings) into a frozen config; throws ConfigError naming the variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env): BridgeConfig {
  const parsed = configSchema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(`Invalid configuration: ${formatZodIssues(parsed.error, 'environment')}`);
  }
  if (Boolean(env.VIGILINK_TLS_CERT) !== Boolean(env.VIGILINK_TLS_KEY)) {
    throw new ConfigError('Invalid configuration: VIGILINK_TLS_CERT and VIGILINK_TLS_KEY go together: set both or neither');
  }
  return deepFreeze(parsed.data);
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}
