// Audit at the route level for operations other capabilities own (SSH connects and disconnects,
// commands run): only a route knows the device and address behind a call, so the wrapper records there.
import type { z } from 'zod';
import { isAppError } from '../core/errors.js';
import type { AuditDetails, AuditEventKind } from '../contracts/audit.js';
import type { RunCommandBody, RunCommandResponse, SshConnectBody, SshConnectQuery, SshDisconnectQuery } from '../contracts/ssh.js';
import type { FsDeleteBody, FsMkdirBody, FsRenameBody, FsTextBody, FsUploadCreateQuery } from '../contracts/file-changes.js';
import type { AnyRoute, RouteContext } from '../transport/route.js';
import type { AuditLog } from './audit-log.js';

interface Recipe<Q = unknown, B = unknown, R = unknown> {
  event: AuditEventKind;
  /** Scalars only: never output, passwords, keys or tokens. `result` is undefined when the call failed. */
  details(call: { query: Q; body: B; result: R | undefined }): AuditDetails;
}

/** Ties a recipe to its route's contract types, then erases them so recipes of all shapes share a table. */
const recipe = <Q, B, R>(r: Recipe<Q, B, R>): Recipe => r as unknown as Recipe;

/** Keyed by "method path" as the routes declare them; a unit test checks each still exists. */
export const AUDIT_RECIPES: Readonly<Record<string, Recipe>> = {
  'post /ssh/connect': recipe<z.output<typeof SshConnectQuery>, z.output<typeof SshConnectBody>, unknown>({
    event: 'ssh.connect',
    details: ({ query, body }) => ({
      session_id: query.session_id,
      hostname: body.hostname,
      port: body.port,
      username: body.username,
      via_jump: body.jump ? `${body.jump.username}@${body.jump.hostname}:${body.jump.port}` : null,
    }),
  }),
  'post /ssh/disconnect': recipe<z.output<typeof SshDisconnectQuery>, unknown, unknown>({
    event: 'ssh.disconnect',
    details: ({ query }) => ({ session_id: query.session_id }),
  }),
  'post /api/terminal/bastion/run': recipe<unknown, z.output<typeof RunCommandBody>, z.output<typeof RunCommandResponse>>({
    event: 'command.run',
    details: ({ body, result }) => ({
      command: body.command,
      session_id: body.session_id ?? null,
      exit_code: result?.exit_code ?? null,
      timed_out: result?.timed_out ?? null,
      container_id: result?.container_id ?? null,
    }),
  }),
  // Files changed from a phone are worth a line each: which path, never the contents.
  'post /api/fs/mkdir': recipe<unknown, z.output<typeof FsMkdirBody>, unknown>({
    event: 'file.mkdir',
    details: ({ body }) => ({ path: body.path, session_id: body.session_id ?? null }),
  }),
  'post /api/fs/rename': recipe<unknown, z.output<typeof FsRenameBody>, unknown>({
    event: 'file.rename',
    details: ({ body }) => ({ from: body.from, to: body.to, session_id: body.session_id ?? null }),
  }),
  'post /api/fs/delete': recipe<unknown, z.output<typeof FsDeleteBody>, unknown>({
    event: 'file.delete',
    details: ({ body }) => ({ path: body.path, recursive: body.recursive, session_id: body.session_id ?? null }),
  }),
  'put /api/fs/text': recipe<unknown, z.output<typeof FsTextBody>, unknown>({
    event: 'file.save',
    details: ({ body }) => ({ path: body.path, bytes: Buffer.byteLength(body.text), session_id: body.session_id ?? null }),
  }),
  'post /api/fs/uploads': recipe<z.output<typeof FsUploadCreateQuery>, unknown, unknown>({
    event: 'file.upload',
    details: ({ query }) => ({ path: query.path, overwrite: query.overwrite, session_id: query.session_id ?? null }),
  }),
};

/** The same routes, with the audited ones wrapped. Calls that fail authorization are not recorded. */
export function auditedRoutes(routes: readonly AnyRoute[], audit: AuditLog): AnyRoute[] {
  return routes.map((route) => {
    const recipe = AUDIT_RECIPES[`${route.method} ${route.path}`];
    return recipe ? { ...route, handler: auditedHandler(route, recipe, audit) } : route;
  });
}

function auditedHandler(route: AnyRoute, recipe: Recipe, audit: AuditLog): AnyRoute['handler'] {
  return async (ctx: RouteContext<unknown, unknown, unknown>) => {
    let userId: string | null = null;
    const watched = { ...ctx, userId: (requested: string | undefined) => (userId = ctx.userId(requested)) };
    const record = (ok: boolean, result: unknown, error?: unknown): void => {
      if (userId === null) return;
      const details = recipe.details({ query: ctx.query, body: ctx.body, result });
      if (!ok) details.error = isAppError(error) ? error.kind : 'internal';
      audit.record({ event: recipe.event, ok, userId, source: { principal: ctx.principal, clientAddress: ctx.clientAddress }, details });
    };
    try {
      const result = await route.handler(watched);
      record(true, result);
      return result;
    } catch (error) {
      record(false, undefined, error);
      throw error;
    }
  };
}
