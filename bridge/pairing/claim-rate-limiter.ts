// Per-address rate limit for pairing claims (a sliding minute), so pairing secrets cannot be guessed.
// The address is the TCP peer's: X-Forwarded-For is ignored, since anyone can write it.

/** Addresses tracked at once; past this the stalest are forgotten (bounded memory under a flood). */
const MAX_ADDRESSES = 10_000;
const WINDOW_MS = 60_000;

export type RateDecision = { allowed: true } | { allowed: false; retryAfterSeconds: number };

export class ClaimRateLimiter {
  private readonly attempts = new Map<string, number[]>();

  constructor(
    private readonly perMinute: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Count one attempt from `address`; refused once it had `perMinute` in the last minute. */
  take(address: string): RateDecision {
    const now = this.now();
    const recent = (this.attempts.get(address) ?? []).filter((t) => t > now - WINDOW_MS);
    if (recent.length >= this.perMinute) {
      this.attempts.set(address, recent);
      return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((recent[0]! + WINDOW_MS - now) / 1000)) };
    }
    recent.push(now);
    // Re-insert so Map order is least-recently-used first.
    this.attempts.delete(address);
    this.attempts.set(address, recent);
    while (this.attempts.size > MAX_ADDRESSES) this.attempts.delete(this.attempts.keys().next().value!);
    return { allowed: true };
  }
}
