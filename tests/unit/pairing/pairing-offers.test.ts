// PairingOffers with an injected clock: secrets of at least 128 bits that work once, before expiry.
import { describe, expect, it } from 'vitest';
import { ClaimRefused, PairingOffers } from '../../../bridge/pairing/pairing-offers.js';

function refusal(run: () => unknown): ClaimRefused {
  try {
    run();
  } catch (error) {
    if (error instanceof ClaimRefused) return error;
    throw error;
  }
  throw new Error('expected a ClaimRefused');
}

describe('PairingOffers (injected clock)', () => {
  it('makes distinct base64url secrets of at least 128 bits bound to the user', () => {
    const offers = new PairingOffers({ ttlMs: 120_000 });
    const a = offers.create('alice', null);
    const b = offers.create('alice', null);
    expect(a.secret).not.toBe(b.secret);
    expect(a.secret).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(Buffer.from(a.secret, 'base64url').length * 8).toBeGreaterThanOrEqual(128);
    expect(offers.claim(a.secret)).toMatchObject({ userId: 'alice', id: a.offer.id });
  });

  it('works once: a second claim is refused as used', () => {
    const offers = new PairingOffers({ ttlMs: 1000 });
    const { secret } = offers.create('bob', 'phone');
    expect(offers.claim(secret).deviceName).toBe('phone');
    const error = refusal(() => offers.claim(secret));
    expect(error.reason).toBe('used');
    expect(error.kind).toBe('unauthorized');
    expect(error.offer?.userId).toBe('bob');
  });

  it('expires exactly at the TTL', () => {
    let now = 5000;
    const offers = new PairingOffers({ ttlMs: 120_000, now: () => now });
    const early = offers.create('carol', null);
    const late = offers.create('carol', null);
    now += 119_999;
    expect(offers.claim(early.secret).userId).toBe('carol');
    now += 1;
    expect(refusal(() => offers.claim(late.secret)).reason).toBe('expired');
  });

  it('calls an unknown secret unknown, and forgets stale offers after a while', () => {
    let now = 0;
    const offers = new PairingOffers({ ttlMs: 1000, now: () => now });
    expect(refusal(() => offers.claim('nope')).reason).toBe('unknown');
    const { secret } = offers.create('dave', null);
    now = 2000;
    expect(refusal(() => offers.claim(secret)).reason).toBe('expired');
    now = 20 * 60_000;
    offers.create('dave', null);
    expect(refusal(() => offers.claim(secret)).reason).toBe('unknown');
  });
});
