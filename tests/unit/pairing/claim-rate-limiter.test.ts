// ClaimRateLimiter with an injected clock: 10 a minute per address, a sliding window, Retry-After.
import { describe, expect, it } from 'vitest';
import { ClaimRateLimiter } from '../../../bridge/pairing/claim-rate-limiter.js';

describe('ClaimRateLimiter (injected clock)', () => {
  it('allows 10 attempts a minute from one address, then says when to retry', () => {
    let now = 1_000_000;
    const limiter = new ClaimRateLimiter(10, () => now);
    for (let i = 0; i < 10; i += 1) {
      expect(limiter.take('10.0.0.1')).toEqual({ allowed: true });
      now += 1000;
    }
    // The first attempt was 10 s ago: it leaves the window in 50 s.
    expect(limiter.take('10.0.0.1')).toEqual({ allowed: false, retryAfterSeconds: 50 });
    expect(limiter.take('10.0.0.2')).toEqual({ allowed: true });
  });

  it('slides: refused attempts do not extend the wait, and old ones age out', () => {
    let now = 0;
    const limiter = new ClaimRateLimiter(2, () => now);
    limiter.take('a');
    now = 30_000;
    limiter.take('a');
    now = 59_000;
    expect(limiter.take('a')).toEqual({ allowed: false, retryAfterSeconds: 1 });
    now = 60_001;
    expect(limiter.take('a')).toEqual({ allowed: true });
    expect(limiter.take('a')).toEqual({ allowed: false, retryAfterSeconds: 30 });
  });
});
