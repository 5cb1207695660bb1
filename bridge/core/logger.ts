// pino logger with secrets redacted by key: whatever shape a log call has, these keys never print.
import fs from 'node:fs';
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

/** Lines wait at most this long for others to share their write... */
const STDOUT_BATCH_MS = 20;
/** ... or until this many characters are waiting. */
const STDOUT_BATCH_CHARS = 4096;

let stdoutBatcher: DestinationStream | null = null;

/**
 * stdout, written asynchronously and in batches, one per process: a request's log line must not hold its
 * answer behind a write to a slow journald or terminal, and one write per line woke the reading process
 * for every line (the largest item of a command in a profile of the bridge). Lines of the same 20 ms go
 * out in one write; what waits when the process exits is written synchronously then, after what pino's
 * own exit hook flushed (older lines), so the order holds.
 */
function batchedStdout(): DestinationStream {
  if (stdoutBatcher) return stdoutBatcher;
  const sink = pino.destination({ dest: 1, sync: false });
  let pending = '';
  let timer: NodeJS.Timeout | null = null;
  const flush = (): void => {
    if (timer) clearTimeout(timer);
    timer = null;
    const text = pending;
    pending = '';
    if (text) sink.write(text);
  };
  process.once('exit', () => {
    try {
      if (pending) fs.writeSync(1, pending);
    } catch {
      // A pipe left full by its reader: these lines are lost, the exit goes on.
    }
  });
  stdoutBatcher = {
    write(line: string): void {
      pending += line;
      if (pending.length >= STDOUT_BATCH_CHARS) flush();
      // unref: a pending flush never keeps the process alive.
      else timer ??= setTimeout(flush, STDOUT_BATCH_MS).unref();
    },
  };
  return stdoutBatcher;
}
