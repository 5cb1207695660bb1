// The express application: request ids, request logs, CORS, JSON bodies, auth, the routes, the docs,
// and the single error handler. This folder is the only code that knows express.
import crypto from 'node:crypto';
import express, { type NextFunction, type Request, type Response } from 'express';
import swaggerUiDist from 'swagger-ui-dist';
import { z } from 'zod';
import { AppError, isAppError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import { formatZodIssues } from '../core/zod-issues.js';
import { assertNamesOnlyOwnUser, authenticateWith, resolveUserId, type Authenticator, type Principal } from '../core/principal.js';
import { GENERIC_INTERNAL_MESSAGE, HTTP_STATUS_BY_KIND } from './error-status.js';
import { buildOpenApiDocument, DOCS_HTML, DOCS_INIT_JS } from './openapi.js';
import type { HostCheck } from './host-check.js';
import type { AbortRegistry } from '../core/abort-registry.js';
import { STREAMED, type AnyRoute, type RouteContext } from './route.js';

export const BODY_LIMIT_BYTES = 1024 * 1024;

export interface HttpAppOptions {
  routes: readonly AnyRoute[];
  authenticators: readonly Authenticator[];
  logger: Logger;
  corsOrigins: readonly string[];
  /** Which Host headers name this bridge (DNS rebinding); others are 403. */
  hostCheck: HostCheck;
  /** Each device's requests in flight, so that revoking the device ends them. */
  deviceWork: AbortRegistry;
  version: string;
  /** Extra express middleware mounted after the API (the renderer's static files). */
  extraHandlers?: express.RequestHandler[];
}

declare module 'express-serve-static-core' {
  interface Request {
    requestId: string;
    log: Logger;
  }
}

const REQUEST_ID_PATTERN = /^[A-Za-z0-9._:-]{1,128}$/;

/** The bearer token of a request, or null. */
export function bearerToken(header: string | undefined): string | null {
  if (!header) return null;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match?.[1] ?? null;
}

export function clientAddress(req: Request): string {
  return req.socket.remoteAddress ?? 'unknown';
}

export function createHttpApp(options: HttpAppOptions): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.set('query parser', 'simple');

  app.use(requestContext(options.logger));
  app.use(hostGuard(options.hostCheck));
  app.use(cors(options.corsOrigins));
  app.use(express.json({ limit: BODY_LIMIT_BYTES, strict: false }));

  const openApiDocument = buildOpenApiDocument(options.routes, options.version);
  app.get('/openapi.json', (_req, res) => void res.json(openApiDocument));
  app.use('/docs', docsSecurityHeaders);
  app.get('/docs', (_req, res) => void res.type('html').send(DOCS_HTML));
  app.get('/docs/init.js', (_req, res) => void res.type('js').send(DOCS_INIT_JS));
  app.use('/docs/assets', express.static(swaggerUiDist.getAbsoluteFSPath(), { index: false }));

  for (const route of options.routes) {
    app[route.method](route.path, routeHandler(route, options.authenticators, options.deviceWork));
  }
  for (const handler of options.extraHandlers ?? []) app.use(handler);

  app.use((req: Request) => {
    throw new AppError('not_found', `Not found: ${req.method} ${req.path}`);
  });
  app.use(errorHandler);
  return app;
}

function requestContext(logger: Logger) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const incoming = req.get('x-request-id');
    req.requestId = incoming && REQUEST_ID_PATTERN.test(incoming) ? incoming : crypto.randomUUID();
    req.log = logger.child({ request_id: req.requestId });
    res.setHeader('X-Request-ID', req.requestId);
    const started = process.hrtime.bigint();
    // 'close' fires for finished and aborted answers alike (a phone dropping a download mid-way).
    res.once('close', () => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      const aborted = !res.writableFinished;
      // The path only: query strings are not logged, so nothing a client puts there can leak.
      req.log.info(
        { method: req.method, path: req.originalUrl.split('?')[0], status: res.statusCode, ms: Math.round(ms * 10) / 10, ...(aborted ? { aborted } : {}) },
        'request',
      );
    });
    next();
  };
}

function hostGuard(hostCheck: HostCheck) {
  return (req: Request, _res: Response, next: NextFunction): void => {
    // SECURITY: a page on another name that resolves here (DNS rebinding) must not reach the API or the UI.
    if (!hostCheck.allows(req.get('host'))) {
      throw new AppError('forbidden', 'The Host header does not name this bridge: add the name to VIGILINK_ALLOWED_HOSTS if it is yours');
    }
    next();
  };
}

/** Swagger UI loads its own bundle and styles only; nothing may frame it (clickjacking the Authorize box). */
const DOCS_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

function docsSecurityHeaders(_req: Request, res: Response, next: NextFunction): void {
  res.setHeader('Content-Security-Policy', DOCS_CSP);
  res.setHeader('X-Frame-Options', 'DENY');
  res.setHeader('X-Content-Type-Options', 'nosniff');
  next();
}

function cors(allowedOrigins: readonly string[]) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const origin = req.get('origin');
    const sameOrigin = origin !== undefined && origin === `${req.protocol}://${req.get('host')}`;
    if (origin && !sameOrigin && allowedOrigins.includes(origin)) {
      res.setHeader('Access-Control-Allow-Origin', origin);
      // Besides the JSON API: tus uploads (Upload-*, Tus-Resumable, Location) and ETag-guarded saves (If-Match, ETag).
      res.setHeader('Access-Control-Allow-Headers', 'Authorization, Content-Type, X-Request-ID, Range, If-Match, Tus-Resumable, Upload-Length, Upload-Offset, Upload-Metadata');
      res.setHeader('Access-Control-Allow-Methods', 'GET, HEAD, POST, PUT, PATCH, DELETE');
      res.setHeader('Access-Control-Expose-Headers', 'X-Request-ID, Content-Length, Content-Range, Content-Disposition, Retry-After, ETag, Location, Tus-Resumable, Upload-Offset, Upload-Length');
      res.setHeader('Access-Control-Max-Age', '600');
    }
    res.setHeader('Vary', 'Origin');
    if (req.method === 'OPTIONS' && origin) {
      res.status(204).end();
      return;
    }
    next();
  };
}

function parsePart<T>(schema: z.ZodType<T> | undefined, value: unknown, where: string): T {
  if (!schema) return undefined as T;
  const result = schema.safeParse(value);
  if (!result.success) throw new AppError('invalid', formatZodIssues(result.error, where));
  return result.data;
}

/**
 * A device's request is tracked until its answer closes. Revoking the device aborts the signal: work that
 * takes it (commands) stops and answers the reason, and an answer already streaming (a download) is cut.
 */
function trackDeviceWork(principal: Principal | null, deviceWork: AbortRegistry, res: Response): AbortSignal {
  if (principal?.kind !== 'device') return new AbortController().signal;
  const work = deviceWork.track(principal.deviceId);
  res.once('close', work.done);
  work.signal.addEventListener('abort', () => {
    if (res.headersSent) res.destroy();
  });
  return work.signal;
}

function routeHandler(route: AnyRoute, authenticators: readonly Authenticator[], deviceWork: AbortRegistry) {
  const auth = route.auth ?? 'user';
  return async (req: Request, res: Response): Promise<void> => {
    let principal: Principal | null = null;
    if (auth !== 'none') {
      const token = bearerToken(req.get('authorization'));
      if (!token) throw new AppError('unauthorized', 'Missing bearer token: send Authorization: Bearer <token>');
      principal = authenticateWith(authenticators, token, { clientAddress: clientAddress(req) });
      if (!principal) throw new AppError('unauthorized', 'Invalid or revoked token');
      if (auth === 'owner' && principal.kind !== 'owner') throw new AppError('forbidden', 'Only the owner of this bridge may do this');
      // Before parsing: another user's id is refused even where this route reads no user_id.
      assertNamesOnlyOwnUser(principal, [req.query, req.body, req.params]);
    }
    const ctx: RouteContext<unknown, unknown, unknown> = {
      query: parsePart(route.query, req.query, 'query'),
      body: parsePart(route.body, req.body ?? {}, 'body'),
      params: parsePart(route.params, req.params, 'path'),
      principal,
      userId: (requested) => {
        if (!principal) throw new AppError('unauthorized', 'This operation needs a token');
        return resolveUserId(principal, requested);
      },
      log: req.log,
      requestId: req.requestId,
      clientAddress: clientAddress(req),
      signal: trackDeviceWork(principal, deviceWork, res),
      req,
      res,
    };
    const result = await route.handler(ctx);
    if (result === STREAMED) return;
    res.json(result);
  };
}

/** What express, body-parser, zlib and the router attach to the errors they raise for a bad request. */
interface ClientRequestError {
  type?: string;
  status?: number;
  statusCode?: number;
}

function errorHandler(error: unknown, req: Request, res: Response, _next: NextFunction): void {
  const appError = toAppError(error);
  const log = req.log;
  if (appError.kind === 'internal') log.error({ err: error }, 'unexpected error');
  else log.debug({ kind: appError.kind, detail: appError.message }, 'request failed');
  if (res.headersSent) {
    res.destroy();
    return;
  }
  if (appError.retryAfterSeconds !== undefined) res.setHeader('Retry-After', String(Math.ceil(appError.retryAfterSeconds)));
  if (appError.kind === 'range_not_satisfiable' && typeof appError.extra?.size === 'number') {
    res.setHeader('Content-Range', `bytes */${appError.extra.size}`);
  }
  const detail = appError.kind === 'internal' ? GENERIC_INTERNAL_MESSAGE : appError.message;
  res.status(HTTP_STATUS_BY_KIND[appError.kind]).json({ detail, ...appError.extra });
}

/**
 * Errors from express's body parser carry a `type`; body-parser's zlib failures (bad gzip) and the
 * router's undecodable path parameters carry only a 4xx `status`. Every such client error is a 4xx with a
 * fixed detail (never the library's text, which can echo the input); everything else unknown is a bug.
 */
export function toAppError(error: unknown): AppError {
  if (isAppError(error)) return error;
  const clientError = (error ?? {}) as ClientRequestError;
  const status = clientError.status ?? clientError.statusCode;
  if (clientError.type === 'entity.too.large' || status === 413) return new AppError('too_large', `Request body over ${BODY_LIMIT_BYTES} bytes`);
  if (clientError.type === 'entity.parse.failed') return new AppError('invalid', 'Malformed JSON body');
  if (typeof status === 'number' && status >= 400 && status < 500) {
    if (error instanceof URIError) return new AppError('invalid', 'Malformed percent-encoding in the request path');
    return new AppError('invalid', 'Unreadable request body (check Content-Type, charset and Content-Encoding)');
  }
  return new AppError('internal', GENERIC_INTERNAL_MESSAGE, { cause: error });
}
