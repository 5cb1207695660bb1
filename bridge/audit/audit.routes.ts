// HTTP adapter for the audit log: the owner reads the newest entries.
import { auditEndpoints } from '../contracts/audit.endpoints.js';
import { defineRoute, type AnyRoute } from '../transport/route.js';
import type { AuditLog } from './audit-log.js';

export function auditRoutes(audit: AuditLog): AnyRoute[] {
  return [
    defineRoute(auditEndpoints.events, {
      tag: 'audit',
      summary: 'The newest audit log entries (owner only)',
      description: 'Pairings, revocations, SSH and VPN connects and disconnects, commands run: who, for which user, from where.',
      auth: 'owner',
      errors: [403],
      handler: async ({ query }) => ({ entries: await audit.tail(query.limit, query.user_id) }),
    }),
  ];
}
