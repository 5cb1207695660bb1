// Route definitions: each route is one endpoint of the contract table (bridge/contracts/endpoints.ts) with
// its docs and handler; from it we get both the express handler (validation, auth, error mapping) and the
// OpenAPI document. Routes stay thin.
import type { Request, Response } from 'express';
import type { EndpointAnswer, EndpointSpec, ParsedPart } from '../contracts/endpoint.js';
import type { Logger } from '../core/logger.js';
import type { Principal } from '../core/principal.js';

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

/** What a route adds to its endpoint: the OpenAPI words, who may call it, and the handler. */
export interface RouteDoc {
  summary: string;
  description?: string;
  tag: string;
  /** 'owner' restricts to the owner token; default 'user' (owner or paired device). */
  auth?: 'none' | 'user' | 'owner';
  /** Error statuses this operation documents besides 400/401. */
  errors?: number[];
}

/** An endpoint of the contract table with its route: what the HTTP app serves and the OpenAPI document lists. */
export interface RouteSpec<Q = unknown, B = unknown, P = unknown, R = unknown> extends EndpointSpec, RouteDoc {
  handler(ctx: RouteContext<Q, B, P>): Promise<RouteResult<R>> | RouteResult<R>;
}

// Type-erased so routes of different shapes live in one list.
export type AnyRoute = RouteSpec<any, any, any, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/**
 * A route for one endpoint of the contract table: method, path and schemas come from the endpoint, so
 * the route cannot drift from what the renderer calls; the handler gets the parsed parts and must answer
 * the endpoint's response type.
 */
export function defineRoute<E extends EndpointSpec>(
  endpoint: E,
  route: RouteDoc & {
    handler(
      ctx: RouteContext<ParsedPart<E, 'query'>, ParsedPart<E, 'body'>, ParsedPart<E, 'params'>>,
    ): Promise<RouteResult<EndpointAnswer<E>>> | RouteResult<EndpointAnswer<E>>;
  },
): AnyRoute {
  return { ...endpoint, ...route };
}
