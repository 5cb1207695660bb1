// Owner sign-in without showing the owner token: `npm run serve` prints a one-time link holding a
// short-lived nonce; the UI exchanges it once for an owner session token. Both live only in this
// process's memory (hashed), so they die with the bridge; a session also dies after an idle time or
// when signed out.
import crypto from 'node:crypto';
import { AppError } from '../core/errors.js';
import type { Authenticator, Principal } from '../core/principal.js';

export interface OwnerSessionsOptions {
  /** How long a sign-in nonce may wait for its one use. */
  linkTtlMs: number;
  /** A session unused for this long is gone. */
  sessionIdleMs: number;
  now?: () => number;
  /** Told the id of each session that ends (signed out or idle), so what it opened can be closed. */
  onEnd?: (session: string) => void;
}

export interface SignInNonce {
  nonce: string;
  expiresAt: number;
  expiresInMs: number;
}

export interface OwnerSession {
  token: string;
  idleTimeoutMs: number;
}

interface LiveSession {
  /** Names the session in principals (never the token or its hash). */
  id: string;
  lastUse: number;
  /** Ends the session once idle, without waiting for its next use. */
  timer: NodeJS.Timeout;
}

/** setTimeout's longest delay; a longer idle time is checked again when it fires. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** Nonces waiting at once: enough for a few links, too few for a flood to grow memory. */
const MAX_PENDING_NONCES = 16;

const hashOf = (secret: string): string => crypto.createHash('sha256').update(secret).digest('base64url');
const newSecret = (): string => crypto.randomBytes(32).toString('base64url');

export class OwnerSessions implements Authenticator {
  /** sha256(nonce) -> expiry. */
  private readonly nonces = new Map<string, number>();
  /** sha256(token) -> the session. */
  private readonly sessions = new Map<string, LiveSession>();
  private readonly now: () => number;

  constructor(private readonly options: OwnerSessionsOptions) {
    this.now = options.now ?? Date.now;
  }

  /** A fresh single-use nonce for a sign-in link; the oldest pending one goes when too many wait. */
  issueNonce(): SignInNonce {
    this.sweep();
    if (this.nonces.size >= MAX_PENDING_NONCES) this.nonces.delete(this.nonces.keys().next().value!);
    const nonce = newSecret();
    const expiresAt = this.now() + this.options.linkTtlMs;
    this.nonces.set(hashOf(nonce), expiresAt);
    return { nonce, expiresAt, expiresInMs: this.options.linkTtlMs };
  }

  /** Trade a nonce for a session token; the nonce is dead afterwards whatever happens. */
  exchange(nonce: string): OwnerSession {
    this.sweep();
    const key = hashOf(nonce);
    const expiresAt = this.nonces.get(key);
    this.nonces.delete(key);
    if (expiresAt === undefined || expiresAt <= this.now()) {
      throw new AppError('unauthorized', 'This sign-in link was already used or has expired: run `npm run signin` for a new one');
    }
    const token = newSecret();
    const sessionKey = hashOf(token);
    this.sessions.set(sessionKey, { id: crypto.randomUUID(), lastUse: this.now(), timer: this.expiryTimer(sessionKey, this.options.sessionIdleMs) });
    return { token, idleTimeoutMs: this.options.sessionIdleMs };
  }

  /** End one session (sign out); true when the token was a live session. */
  revoke(token: string): boolean {
    return this.end(hashOf(token));
  }

  authenticate(token: string): Principal | null {
    const key = hashOf(token);
    const session = this.sessions.get(key);
    if (session === undefined) return null;
    if (this.idle(session)) {
      this.end(key);
      return null;
    }
    session.lastUse = this.now();
    return { kind: 'owner', session: session.id };
  }

  /** Live sessions (tests and diagnostics). */
  get sessionCount(): number {
    this.sweep();
    return this.sessions.size;
  }

  private sweep(): void {
    const now = this.now();
    for (const [key, expiresAt] of this.nonces) if (expiresAt <= now) this.nonces.delete(key);
    for (const [key, session] of this.sessions) if (this.idle(session)) this.end(key);
  }

  private idle(session: LiveSession): boolean {
    return this.now() - session.lastUse >= this.options.sessionIdleMs;
  }

  private expiryTimer(key: string, delayMs: number): NodeJS.Timeout {
    const timer = setTimeout(() => {
      const session = this.sessions.get(key);
      if (!session) return;
      if (this.idle(session)) this.end(key);
      else session.timer = this.expiryTimer(key, session.lastUse + this.options.sessionIdleMs - this.now());
    }, Math.min(Math.max(delayMs, 0), MAX_TIMER_MS));
    // The process may exit with sessions alive: they live in its memory only.
    timer.unref();
    return timer;
  }

  private end(key: string): boolean {
    const session = this.sessions.get(key);
    if (!session) return false;
    this.sessions.delete(key);
    clearTimeout(session.timer);
    this.options.onEnd?.(session.id);
    return true;
  }
}
