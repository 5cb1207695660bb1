// The one table from AppError kinds to HTTP status. Nothing else derives a status.
import type { AppErrorKind } from '../core/errors.js';

export const HTTP_STATUS_BY_KIND: Record<AppErrorKind, number> = {
  invalid: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  too_large: 413,
  range_not_satisfiable: 416,
  rate_limited: 429,
  failed: 500,
  upstream_failed: 502,
  unavailable: 503,
  upstream_timeout: 504,
  internal: 500,
};

export const GENERIC_INTERNAL_MESSAGE = 'Internal server error';
