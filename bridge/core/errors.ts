// The bridge's one error type. Every expected failure is an AppError with a kind from a closed set;
// transport/ maps kinds to HTTP status and socket acks in one table (transport/error-status.ts).

export type AppErrorKind =
  | 'invalid' // bad input: 400
  | 'unauthorized' // no or bad credentials: 401
  | 'forbidden' // authenticated, not allowed: 403
  | 'not_found' // 404
  | 'conflict' // 409
  | 'too_large' // 413
  | 'range_not_satisfiable' // 416 (extra.size: the resource's length, for Content-Range)
  | 'rate_limited' // 429
  | 'failed' // an operation that failed for a reason the user can act on: 500 with the message
  | 'upstream_failed' // the remote side (sshd, VPN server) refused or broke: 502
  | 'upstream_timeout' // the remote side did not answer in time: 504
  | 'unavailable' // a dependency of the bridge is not there: 503
  | 'internal'; // a bug: 500 with a generic message, the stack goes to the log

export interface AppErrorOptions {
  cause?: unknown;
  /** Seconds after which a rate-limited caller may retry. */
  retryAfterSeconds?: number;
  /** Extra JSON fields for the error body (never secrets). */
  extra?: Record<string, unknown>;
}

export class AppError extends Error {
  readonly kind: AppErrorKind;
  readonly retryAfterSeconds: number | undefined;
  readonly extra: Record<string, unknown> | undefined;

  constructor(kind: AppErrorKind, message: string, options: AppErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AppError';
    this.kind = kind;
    this.retryAfterSeconds = options.retryAfterSeconds;
    this.extra = options.extra;
  }
}

export const isAppError = (error: unknown): error is AppError => error instanceof AppError;

export const errorMessage = (error: unknown): string =>
  error instanceof Error ? error.message : String(error);
