// The audit capability: GET /api/audit and the observer that records SSH drops. The log itself lives in
// the context (ctx.audit) so every capability can record; app.ts wraps the audited routes.
import type { BridgeContext, Capability } from '../capability.js';
import { auditRoutes } from './audit.routes.js';
import { auditSshDrops } from './ssh-drop-audit.js';

export function auditCapability(ctx: BridgeContext): Capability {
  const stopWatching = auditSshDrops(ctx.sessions, ctx.audit);
  return {
    name: 'audit',
    routes: auditRoutes(ctx.audit),
    close: async () => {
      stopWatching();
      await ctx.audit.close();
    },
  };
}
