// At most N execs of users' own work per container (= per user) at a time: commands, file operations and
// downloads, as SSH channels are bounded per connection. A request waits for a slot a bounded time, then
// gets 503 with Retry-After, so a flood from one user neither piles up in the bridge nor starves others.
import { AppError } from '../core/errors.js';
import { Semaphore, SlotWaitTimeout, type Release } from '../core/semaphore.js';

export interface ExecSlotOptions {
  perContainer: number;
  waitMs: number;
}

const RETRY_AFTER_SECONDS = 2;

export class ContainerExecSlots {
  private readonly semaphores = new Map<string, Semaphore>();

  constructor(private readonly options: ExecSlotOptions) {}

  /** A slot in the container, or 503 once `waitMs` passes; call the release exactly when the exec is done. */
  async acquire(containerId: string, signal?: AbortSignal): Promise<Release> {
    const semaphore = this.semaphores.get(containerId) ?? new Semaphore(this.options.perContainer);
    this.semaphores.set(containerId, semaphore);
    // The semaphore's own bounded wait: a waiter that gives up leaves the queue (no slot is held for it).
    const release = await semaphore.acquire({ waitMs: this.options.waitMs, signal }).catch((error: unknown) => {
      this.forgetIfIdle(containerId, semaphore);
      if (!(error instanceof SlotWaitTimeout)) throw error;
      throw new AppError('unavailable', `The VPN container is busy: ${this.options.perContainer} commands or file operations are running in it; retry shortly`, {
        retryAfterSeconds: RETRY_AFTER_SECONDS,
      });
    });
    return () => {
      release();
      this.forgetIfIdle(containerId, semaphore);
    };
  }

  /** How many slots are taken in a container (for tests and status). */
  inUse(containerId: string): number {
    return this.semaphores.get(containerId)?.inUse ?? 0;
  }

  // Containers come and go: an idle one's semaphore is not kept.
  private forgetIfIdle(containerId: string, semaphore: Semaphore): void {
    if (semaphore.inUse === 0 && semaphore.queued === 0 && this.semaphores.get(containerId) === semaphore) this.semaphores.delete(containerId);
  }
}
