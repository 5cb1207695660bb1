// pino logger with secrets redacted by key: whatever shape a log call has, these keys never print.
import { pino, type Logger, type DestinationStream } from 'pino';

export type { Logger };

/** Keys that hold secrets anywhere in a logged object. */
export const SECRET_KEYS = [
  'password',
  'passphrase',
  'private_key',
  'privateKey',
  'token',
  'secret',
  'authorization',
  'Authorization',
  'device_token',
  'owner_token',
  'cookie',
] as const;

const SECRET = new Set<string>(SECRET_KEYS);
const CENSOR = '[redacted]';
/** Levels of nesting searched: the top-level object and three below it (`a.b.c.password`). */
const REDACT_DEPTH = 4;

/**
 * The object with every secret key's value replaced, up to REDACT_DEPTH levels down; the same object when
 * it holds none (the usual case, so a log line costs no copy). pino's own `redact` with wildcard paths
 * ran its redactor over every field of every line: 15x the cost of the line itself, on every command.
 */
export function redactSecrets<T>(value: T, depth = REDACT_DEPTH): T {
  if (depth === 0 || value === null || typeof value !== 'object') return value;
  let copy: Record<string, unknown> | null = null;
  const source = value as Record<string, unknown>;
  for (const key of Object.keys(source)) {
    const inner = source[key];
    const replaced = SECRET.has(key) && inner !== undefined ? CENSOR : redactSecrets(inner, depth - 1);
    if (replaced === inner) continue;
    copy ??= cloneShallow(source);
    copy[key] = replaced;
  }
  return (copy ?? value) as T;
}

/** A shallow copy that keeps an Error an Error (message and stack are not enumerable) and an array an array. */
function cloneShallow(source: Record<string, unknown>): Record<string, unknown> {
  if (Array.isArray(source)) return [...source] as unknown as Record<string, unknown>;
  const copy = Object.create(Object.getPrototypeOf(source) as object) as Record<string, unknown>;
  for (const name of Object.getOwnPropertyNames(source)) {
    Object.defineProperty(copy, name, Object.getOwnPropertyDescriptor(source, name)!);
  }
  return copy;
}

export interface LoggerOptions {
  level?: string;
  destination?: DestinationStream;
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const config = {
    level: options.level ?? 'info',
    // Child bindings (pino applies no log formatter to them) are flat: top-level paths cover them, and
    // such paths cost nothing on a line that lacks the key. Log objects go through redactSecrets.
    redact: { paths: [...SECRET_KEYS], censor: CENSOR },
    formatters: { log: redactSecrets },
    base: { service: 'vigilink-bridge' },
  };
  return pino(config, options.destination ?? batchedStdout());
}

/** Lines wait at most this long for others to share their write. */
const STDOUT_BATCH_MS = 20;
/** ... or until this many bytes are waiting. */
const STDOUT_BATCH_BYTES = 4096;

/**
 * stdout, written asynchronously and in batches (pino flushes what is left when the process exits): a
 * request's log line must not hold its answer behind a write to a slow journald or terminal, and one
 * write per line woke the reading process for every line (the largest cost of a command in a profile of
 * the bridge). Lines of the same 20 ms go out in one write.
 */
function batchedStdout(): DestinationStream {
  const sink = pino.destination({ dest: 1, sync: false, minLength: STDOUT_BATCH_BYTES });
  let timer: NodeJS.Timeout | null = null;
  const flush = (): void => {
    timer = null;
    sink.flush();
  };
  return {
    write(line: string): void {
      sink.write(line);
      // unref: a pending flush never keeps the process alive; pino flushes on exit.
      timer ??= setTimeout(flush, STDOUT_BATCH_MS).unref();
    },
  };
}
