// Forward access with a stubbed clock: a link works once, for its own forward, within its lifetime; a
// revoked device's cookie sessions go (and the forward is told to cut them); closing a forward ends all.
import { describe, expect, it } from 'vitest';
import { AbortRegistry } from '../../../bridge/core/abort-registry.js';
import { AppError } from '../../../bridge/core/errors.js';
import { ForwardAccess, LINK_TTL_MS } from '../../../bridge/forwards/forward-access.js';

function setup() {
  let now = 1_000_000;
  const cut: Array<[string, string]> = [];
  const deviceWork = new AbortRegistry();
  const access = new ForwardAccess({ deviceWork, onRevoked: (forwardId, key) => cut.push([forwardId, key]), now: () => now });
  return { access, deviceWork, cut, advance: (ms: number) => (now += ms) };
}

const phone = { kind: 'device', userId: 'alice', deviceId: 'dev-1' } as const;

describe('ForwardAccess', () => {
  it('redeems a link once, only on its own forward, only before it expires', () => {
    const { access, advance } = setup();
    const { token } = access.createLink({ forwardId: 'f1', userId: 'alice', principal: phone });
    expect(access.redeem(token, 'f2')).toBeNull();
    const redeemed = access.redeem(token, 'f1');
    expect(redeemed).not.toBeNull();
    expect(access.session(redeemed!.cookie)).toMatchObject({ forwardId: 'f1', userId: 'alice', sessionKey: redeemed!.sessionKey });
    expect(access.redeem(token, 'f1')).toBeNull();
    const late = access.createLink({ forwardId: 'f1', userId: 'alice', principal: phone });
    advance(LINK_TTL_MS);
    expect(access.redeem(late.token, 'f1')).toBeNull();
    expect(access.session('not-a-cookie')).toBeNull();
  });

  it("drops a revoked device's sessions and tells the forward; the owner's and closed forwards' go with dropForward", () => {
    const { access, deviceWork, cut } = setup();
    const mine = access.redeem(access.createLink({ forwardId: 'f1', userId: 'alice', principal: phone }).token, 'f1')!;
    const owner = access.redeem(access.createLink({ forwardId: 'f1', userId: 'alice', principal: { kind: 'owner' } }).token, 'f1')!;
    expect(deviceWork.abort('dev-1', new AppError('unauthorized', 'revoked'))).toBe(1);
    expect(access.session(mine.cookie)).toBeNull();
    expect(cut).toEqual([['f1', mine.sessionKey]]);
    expect(access.session(owner.cookie)).not.toBeNull();
    access.dropForward('f1');
    expect(access.session(owner.cookie)).toBeNull();
    expect(deviceWork.count('dev-1')).toBe(0);
  });
});
