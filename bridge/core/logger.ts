// pino logger with secrets redacted by path: whatever shape a log call has, these keys never print.
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
] as const;

const redactPaths = SECRET_KEYS.flatMap((key) => [key, `*.${key}`, `*.*.${key}`, `*.*.*.${key}`]).concat([
  'req.headers.authorization',
  'req.headers.cookie',
]);

export interface LoggerOptions {
  level?: string;
  destination?: DestinationStream;
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const config = {
    level: options.level ?? 'info',
    redact: { paths: redactPaths, censor: '[redacted]' },
    base: { service: 'vigilink-bridge' },
  };
  return options.destination ? pino(config, options.destination) : pino(config);
}
