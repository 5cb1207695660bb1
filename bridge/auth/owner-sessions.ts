// Owner sign-in without showing the owner token: `npm run serve` prints a one-time link holding a
// short-lived nonce; the UI exchanges it once for an owner session token. Both live only in this
// process's memory (hashed), so they die with the bridge; a session also dies after an idle time or
// when signed out.
import crypto from 'node:crypto';
import { AppError } from '../core/errors.js';
import type { Authenticator, Principal } from './principal.js';

export interface OwnerSessionsOptions {
  /** How long a sign-in nonce may wait for its one use. */
  linkTtlMs: number;
  /** A session unused for this long is gone. */
  sessionIdleMs: number;
  now?: () => number;
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

/** Nonces waiting at once: enough for a few links, too few for a flood to grow memory. */
const MAX_PENDING_NONCES = 16;

const hashOf = (secret: string): string => crypto.createHash('sha256').update(secret).digest('base64url');
const newSecret = (): string => crypto.randomBytes(32).toString('base64url');

export class OwnerSessions implements Authenticator {
  /** sha256(nonce) -> expiry. */
  private readonly nonces = new Map<string, number>();
  /** sha256(token) -> last use. */
  private readonly sessions = new Map<string, number>();
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
    this.sessions.set(hashOf(token), this.now());
    return { token, idleTimeoutMs: this.options.sessionIdleMs };
  }

  /** End one session (sign out); true when the token was a live session. */
  revoke(token: string): boolean {
    return this.sessions.delete(hashOf(token));
  }

  authenticate(token: string): Principal | null {
    const key = hashOf(token);
    const lastUse = this.sessions.get(key);
    if (lastUse === undefined) return null;
    if (this.now() - lastUse >= this.options.sessionIdleMs) {
      this.sessions.delete(key);
      return null;
    }
    this.sessions.set(key, this.now());
    return { kind: 'owner' };
  }

  /** Live sessions (tests and diagnostics). */
  get sessionCount(): number {
    this.sweep();
    return this.sessions.size;
  }

  private sweep(): void {
    const now = this.now();
    for (const [key, expiresAt] of this.nonces) if (expiresAt <= now) this.nonces.delete(key);
    for (const [key, lastUse] of this.sessions) if (now - lastUse >= this.options.sessionIdleMs) this.sessions.delete(key);
  }
}
