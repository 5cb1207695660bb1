// The audit capability: GET /api/audit and the observer that records SSH drops. The log itself is a shared
// service every capability records to; the composition root wraps the audited routes.
import type { SshSessionService } from '../ssh/ssh-sessions.js';
import type { Capability } from '../transport/capability.js';
import type { AuditLog } from './audit-log.js';
import { auditRoutes } from './audit.routes.js';
import { auditSshDrops } from './ssh-drop-audit.js';

export interface AuditCapabilityDeps {
  sessions: SshSessionService;
  audit: AuditLog;
}

export function auditCapability({ sessions, audit }: AuditCapabilityDeps): Capability {
  const stopWatching = auditSshDrops(sessions, audit);
  return {
    name: 'audit',
    routes: auditRoutes(audit),
    close: async () => {
      stopWatching();
      await audit.close();
    },
  };
}
