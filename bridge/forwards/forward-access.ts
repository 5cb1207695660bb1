// Who may use a forward: one-time links (made through the API, with the bearer token) that a browser
// trades on the forward's own port for a cookie bound to that forward and that device. Tokens and cookie
// values live in memory only, hashed; revoking the device or closing the forward drops them at once.
import crypto from 'node:crypto';
import type { Principal } from '../core/principal.js';
import type { AbortRegistry, TrackedWork } from '../core/abort-registry.js';

/** How long a link works: long enough to tap it, too short to be worth stealing from a history. */
export const LINK_TTL_MS = 60_000;
/** Our cookies' name prefix; the rest is the forward id, so a browser keeps one per forward (cookies ignore ports). */
export const COOKIE_PREFIX = 'vigilink_fwd_';

export interface AccessGrant {
  forwardId: string;
  userId: string;
  principal: Principal;
}

interface CookieSession extends AccessGrant {
  work: TrackedWork | null;
}

const hash = (secret: string): string => crypto.createHash('sha256').update(secret).digest('hex');
const secret = (): string => crypto.randomBytes(32).toString('base64url');

export interface ForwardAccessOptions {
  deviceWork: AbortRegistry;
  /** A device was revoked: its sessions on `forwardId` are gone; cut its open connections there. */
  onRevoked(forwardId: string, sessionKey: string): void;
  now?: () => number;
}

export class ForwardAccess {
  private readonly links = new Map<string, AccessGrant & { expiresAt: number }>();
  private readonly sessions = new Map<string, CookieSession>();
  private readonly now: () => number;

  constructor(private readonly options: ForwardAccessOptions) {
    this.now = options.now ?? Date.now;
  }

  /** A one-time token for `grant`, and when it stops working. */
  createLink(grant: AccessGrant): { token: string; expiresAt: Date } {
    for (const [key, link] of this.links) if (link.expiresAt <= this.now()) this.links.delete(key);
    const token = secret();
    const expiresAt = this.now() + LINK_TTL_MS;
    this.links.set(hash(token), { ...grant, expiresAt });
    return { token, expiresAt: new Date(expiresAt) };
  }

  /** Trade a link's token (once) for a cookie value; null when the token is unknown, used, expired or another forward's. */
  redeem(token: string, forwardId: string): { cookie: string; sessionKey: string } | null {
    const key = hash(token);
    const link = this.links.get(key);
    if (!link || link.forwardId !== forwardId) return null;
    this.links.delete(key);
    if (link.expiresAt <= this.now()) return null;
    const cookie = secret();
    const sessionKey = hash(cookie);
    const session: CookieSession = { forwardId, userId: link.userId, principal: link.principal, work: null };
    if (link.principal.kind === 'device') {
      // Revoking the device aborts this: the session goes, and the forward cuts its connections.
      session.work = this.options.deviceWork.track(link.principal.deviceId);
      session.work.signal.addEventListener('abort', () => {
        this.sessions.delete(sessionKey);
        this.options.onRevoked(forwardId, sessionKey);
      });
    }
    this.sessions.set(sessionKey, session);
    return { cookie, sessionKey };
  }

  /** The session a cookie value stands for, with its key (what connections are grouped by). */
  session(cookie: string): (AccessGrant & { sessionKey: string }) | null {
    const sessionKey = hash(cookie);
    const session = this.sessions.get(sessionKey);
    return session ? { ...session, sessionKey } : null;
  }

  /** Everything granted on a forward is gone (it closed). */
  dropForward(forwardId: string): void {
    for (const [key, link] of this.links) if (link.forwardId === forwardId) this.links.delete(key);
    for (const [key, session] of this.sessions) {
      if (session.forwardId !== forwardId) continue;
      session.work?.done();
      this.sessions.delete(key);
    }
  }
}
