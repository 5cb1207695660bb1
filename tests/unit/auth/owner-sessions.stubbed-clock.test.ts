// OwnerSessions on a stubbed clock: a nonce works once and only before it expires, a session ends after
// its idle time (use keeps it alive), sign-out ends it, and nothing is kept in clear.
import { describe, expect, it } from 'vitest';
import { OwnerSessions } from '../../../bridge/auth/owner-sessions.js';
import { isAppError } from '../../../bridge/core/errors.js';

function make() {
  const clock = { now: 1_000_000 };
  const ended: string[] = [];
  const sessions = new OwnerSessions({ linkTtlMs: 300_000, sessionIdleMs: 3_600_000, now: () => clock.now, onEnd: (id) => ended.push(id) });
  return { clock, sessions, ended };
}

const sessionOf = (sessions: OwnerSessions, token: string): string | undefined => {
  const principal = sessions.authenticate(token);
  return principal?.kind === 'owner' ? principal.session : undefined;
};

const refused = (run: () => unknown): string => {
  try {
    run();
  } catch (error) {
    if (isAppError(error)) return error.kind;
    throw error;
  }
  return 'accepted';
};

describe('OwnerSessions', () => {
  it('exchanges a nonce once for an owner session; the second use is unauthorized', () => {
    const { sessions } = make();
    const { nonce } = sessions.issueNonce();
    const session = sessions.exchange(nonce);
    expect(session.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(session.token).not.toBe(nonce);
    expect(sessions.authenticate(session.token)).toEqual({ kind: 'owner', session: expect.any(String) });
    expect(refused(() => sessions.exchange(nonce))).toBe('unauthorized');
    expect(sessions.authenticate(nonce)).toBeNull();
  });

  it('refuses a nonce after its lifetime, and one it never issued', () => {
    const { clock, sessions } = make();
    const { nonce, expiresInMs } = sessions.issueNonce();
    expect(expiresInMs).toBe(300_000);
    clock.now += 300_000;
    expect(refused(() => sessions.exchange(nonce))).toBe('unauthorized');
    expect(refused(() => sessions.exchange('x'.repeat(43)))).toBe('unauthorized');
  });

  it('ends a session left idle, while use keeps it alive', () => {
    const { clock, sessions } = make();
    const { token } = sessions.exchange(sessions.issueNonce().nonce);
    clock.now += 3_000_000;
    expect(sessions.authenticate(token)).toEqual({ kind: 'owner', session: expect.any(String) });
    clock.now += 3_000_000;
    expect(sessions.authenticate(token)).toEqual({ kind: 'owner', session: expect.any(String) });
    clock.now += 3_600_000;
    expect(sessions.authenticate(token)).toBeNull();
    expect(sessions.sessionCount).toBe(0);
  });

  it('signs one session out and leaves the others', () => {
    const { sessions } = make();
    const a = sessions.exchange(sessions.issueNonce().nonce);
    const b = sessions.exchange(sessions.issueNonce().nonce);
    expect(sessions.revoke(a.token)).toBe(true);
    expect(sessions.revoke(a.token)).toBe(false);
    expect(sessions.authenticate(a.token)).toBeNull();
    expect(sessions.authenticate(b.token)).toEqual({ kind: 'owner', session: expect.any(String) });
  });

  it('names each session in its principal and tells when it ends, signed out or idle', () => {
    const { clock, sessions, ended } = make();
    const a = sessions.exchange(sessions.issueNonce().nonce);
    const b = sessions.exchange(sessions.issueNonce().nonce);
    const idA = sessionOf(sessions, a.token);
    const idB = sessionOf(sessions, b.token);
    expect(idA).toMatch(/^[0-9a-f-]{36}$/);
    expect(idB).not.toBe(idA);
    expect(idA).not.toContain(a.token);
    sessions.revoke(a.token);
    expect(ended).toEqual([idA]);
    sessions.revoke(a.token);
    expect(ended).toEqual([idA]);
    clock.now += 3_600_000;
    expect(sessions.sessionCount).toBe(0);
    expect(ended).toEqual([idA, idB]);
  });

  it('keeps at most 16 nonces waiting: the oldest goes first', () => {
    const { sessions } = make();
    const first = sessions.issueNonce().nonce;
    const rest = Array.from({ length: 16 }, () => sessions.issueNonce().nonce);
    expect(refused(() => sessions.exchange(first))).toBe('unauthorized');
    expect(refused(() => sessions.exchange(rest[0]!))).toBe('accepted');
  });

  it('never holds a nonce or token in clear', () => {
    const { sessions } = make();
    const { nonce } = sessions.issueNonce();
    const pending = sessions.issueNonce().nonce;
    const { token } = sessions.exchange(nonce);
    const dump = JSON.stringify(Object.entries(sessions).map(([key, value]) => [key, value instanceof Map ? [...value.keys()] : value]));
    for (const secret of [pending, token]) expect(dump).not.toContain(secret);
  });
});
