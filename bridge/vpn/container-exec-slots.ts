// At most N execs of users' own work per container (= per user) at a time: commands, file operations and
// downloads, as SSH channels are bounded per connection. A request waits for a slot a bounded time, then
// gets 503 with Retry-After, so a flood from one user neither piles up in the bridge nor starves others.
import { AppError } from '../core/errors.js';
import { Semaphore, type Release } from '../core/semaphore.js';

export interface ExecSlotOptions {
  perContainer: number;
  waitMs: number;
}

const RETRY_AFTER_SECONDS = 2;

export class ContainerExecSlots {
  private readonly semaphores = new Map<string, Semaphore>();

  constructor(private readonly options: ExecSlotOptions) {}

  /** A slot in the container, or 503 once `waitMs` passes; call the release exactly when the exec is done. */
  async acquire(containerId: string): Promise<Release> {
    const semaphore = this.semaphores.get(containerId) ?? new Semaphore(this.options.perContainer);
    this.semaphores.set(containerId, semaphore);
    const acquired = semaphore.acquire();
    let timer: NodeJS.Timeout | undefined;
    const release = await Promise.race([acquired, new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), this.options.waitMs)))]);
    clearTimeout(timer);
    if (release === null) {
      // The abandoned place in the queue passes its slot straight on when its turn comes.
      void acquired.then((late) => this.releaser(containerId, semaphore, late)());
      throw new AppError('unavailable', `The VPN container is busy: ${this.options.perContainer} commands or file operations are running in it; retry shortly`, {
        retryAfterSeconds: RETRY_AFTER_SECONDS,
      });
    }
    return this.releaser(containerId, semaphore, release);
  }

  /** How many slots are taken in a container (for tests and status). */
  inUse(containerId: string): number {
    return this.semaphores.get(containerId)?.inUse ?? 0;
  }

  private releaser(containerId: string, semaphore: Semaphore, release: Release): Release {
    return () => {
      release();
      // Containers come and go: an idle one's semaphore is not kept.
      if (semaphore.inUse === 0 && semaphore.queued === 0 && this.semaphores.get(containerId) === semaphore) this.semaphores.delete(containerId);
    };
  }
}
