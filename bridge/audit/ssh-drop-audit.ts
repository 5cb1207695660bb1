// Records SSH sessions that dropped on their own (network, server gone, VPN down): no request causes
// those, so they are seen from the session service's change events, by diffing each user's listing.
import type { SshSessionService } from '../ssh/ssh-sessions.js';
import { SYSTEM_SOURCE, type AuditLog } from './audit-log.js';

/** A session's identity across listings: a reconnect with the same session_id is another session. */
const keyOf = (s: { session_id: string; connected_at: string }): string => `${s.session_id}\u0000${s.connected_at}`;

export function auditSshDrops(sessions: SshSessionService, audit: AuditLog): () => void {
  const activeByUser = new Map<string, Set<string>>();
  const onChange = (userId: string): void => {
    const listing = sessions.list(userId);
    const before = activeByUser.get(userId) ?? new Set<string>();
    const now = new Set<string>();
    for (const session of listing) {
      const key = keyOf(session);
      if (session.active) now.add(key);
      // Active before and now listed inactive: a drop. A disconnect on request removes it from the
      // listing instead, and the route records that one with its caller.
      else if (before.has(key)) {
        audit.record({
          event: 'ssh.drop',
          userId,
          source: SYSTEM_SOURCE,
          details: { session_id: session.session_id, hostname: session.hostname, port: session.port, reason: session.reason },
        });
      }
    }
    if (now.size) activeByUser.set(userId, now);
    else activeByUser.delete(userId);
  };
  sessions.on('change', onChange);
  return () => sessions.off('change', onChange);
}
