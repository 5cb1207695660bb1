// The audit endpoint: the owner's read of the audit log.
import { defineEndpoint } from './endpoint.js';
import { AuditQuery, AuditResponse } from './audit.js';

export const auditEndpoints = {
  events: defineEndpoint({ method: 'get', path: '/api/audit', query: AuditQuery, response: AuditResponse }),
};
