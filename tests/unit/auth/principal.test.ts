// The central cross-user rule: a device names no user but its own, anywhere in a request.
import { describe, expect, it } from 'vitest';
import { assertNamesOnlyOwnUser, type Principal } from '../../../bridge/core/principal.js';

const device: Principal = { kind: 'device', userId: 'alice', deviceId: 'd1' };

describe('assertNamesOnlyOwnUser', () => {
  it('lets a device name itself, or nobody', () => {
    expect(() => assertNamesOnlyOwnUser(device, [{ user_id: 'alice' }, {}, undefined, 'text', { list: [{ user_id: 'alice' }] }])).not.toThrow();
  });

  it.each([
    ['top level', { user_id: 'bob' }],
    ['nested', { a: { b: [{ c: { user_id: 'bob' } }] } }],
    ['repeated query parameter', { user_id: ['alice', 'bob'] }],
    ['prototype-looking name', { user_id: '__proto__' }],
  ])('refuses another user (%s) with 403', (_name, part) => {
    expect(() => assertNamesOnlyOwnUser(device, [part])).toThrow(expect.objectContaining({ kind: 'forbidden', message: expect.stringMatching(/may not act for/) }));
  });

  it.each([[{ user_id: 7 }], [{ user_id: null }], [{ user_id: { id: 'alice' } }]])('refuses a user_id that is not a string: %j', (part) => {
    expect(() => assertNamesOnlyOwnUser(device, [part])).toThrow(expect.objectContaining({ kind: 'forbidden' }));
  });

  it('walks a deeply nested body without overflowing the stack', () => {
    let deep: unknown = { user_id: 'bob' };
    for (let i = 0; i < 200_000; i++) deep = [deep];
    expect(() => assertNamesOnlyOwnUser(device, [deep])).toThrow(expect.objectContaining({ kind: 'forbidden' }));
  });

  it('places no limit on the owner', () => {
    expect(() => assertNamesOnlyOwnUser({ kind: 'owner' }, [{ user_id: 'bob' }])).not.toThrow();
  });
});
