// Per-user order and pace of VPN connects: a user's connect, disconnect and reconnect never interleave,
// and connects closer together than VPN_COOLDOWN_SECONDS are refused (429).
import { AppError } from '../core/errors.js';

export class UserGate {
  private readonly locks = new Map<string, Promise<unknown>>();
  private readonly lastConnectAt = new Map<string, number>();

  constructor(private readonly cooldownMs: number) {}

  /** Run `work` after the user's earlier work has settled. */
  lock<T>(userId: string, work: () => Promise<T>): Promise<T> {
    const previous = this.locks.get(userId) ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(work);
    this.locks.set(userId, next);
    void next.finally(() => this.locks.get(userId) === next && this.locks.delete(userId)).catch(() => undefined);
    return next;
  }

  checkCooldown(userId: string): void {
    const cooldown = this.cooldownMs;
    const last = this.lastConnectAt.get(userId);
    const now = Date.now();
    if (cooldown > 0 && last !== undefined && now - last < cooldown) {
      const wait = Math.max(1, Math.ceil((cooldown - (now - last)) / 1000));
      throw new AppError('rate_limited', `VPN connects for '${userId}' are limited to one per ${cooldown / 1000} s: retry in ${wait} s`, {
        retryAfterSeconds: wait,
      });
    }
    this.lastConnectAt.set(userId, now);
  }
}
