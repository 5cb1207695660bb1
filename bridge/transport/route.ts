// Route definitions: one object per operation carries its zod schemas, and from it we get both the
// express handler (validation, auth, error mapping) and the OpenAPI document. Routes stay thin.
import type { Request, Response } from 'express';
import type { z } from 'zod';
import type { Logger } from '../core/logger.js';
import type { Principal } from '../core/principal.js';

export type HttpMethod = 'get' | 'head' | 'post' | 'put' | 'patch' | 'delete';

export interface RouteContext<Q, B, P> {
  query: Q;
  body: B;
  params: P;
  /** null only on routes with auth: 'none'. */
  principal: Principal | null;
  /** The user the call acts for, from the principal and the user_id the caller named. */
  userId(requested: string | undefined): string;
  log: Logger;
  requestId: string;
  clientAddress: string;
  /** Aborts when the caller's device is revoked mid-request: pass it to long work (commands). */
  signal: AbortSignal;
  req: Request;
  res: Response;
}

/** What a handler returns: the JSON body (200 unless the handler set another status on `res`), or STREAMED when it wrote the response itself. */
export type RouteResult<R> = R | typeof STREAMED;

export const STREAMED = Symbol('streamed');

export interface RouteSpec<Q = unknown, B = unknown, P = unknown, R = unknown> {
  method: HttpMethod;
  /** Express path syntax (`/api/devices/:id`); OpenAPI gets `{id}`. */
  path: string;
  summary: string;
  description?: string;
  tag: string;
  /** 'owner' restricts to the owner token; default 'user' (owner or paired device). */
  auth?: 'none' | 'user' | 'owner';
  query?: z.ZodType<Q>;
  body?: z.ZodType<B>;
  params?: z.ZodType<P>;
  /** The 200 answer's schema (documentation of the contract; for `produces` routes, a description only). */
  response?: z.ZodType<R>;
  /** Content type of a non-JSON answer (downloads). */
  produces?: string;
  /** Error statuses this operation documents besides 400/401. */
  errors?: number[];
  handler(ctx: RouteContext<Q, B, P>): Promise<RouteResult<R>> | RouteResult<R>;
}

// Type-erased so routes of different shapes live in one list.
export type AnyRoute = RouteSpec<any, any, any, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** Identity helper that keeps the generic types of one route tied together. */
export function defineRoute<Q = undefined, B = undefined, P = undefined, R = unknown>(
  spec: RouteSpec<Q, B, P, R>,
): AnyRoute {
  return spec as AnyRoute;
}
