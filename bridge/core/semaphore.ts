// A counting semaphore with a FIFO queue: bounds how many channels one SSH connection holds open.
// A waiter may give up after a time (SlotWaitTimeout) or when its caller's signal aborts.

export type Release = () => void;

export interface AcquireOptions {
  /** Give up after this long in the queue; undefined waits as long as it takes. */
  waitMs?: number | undefined;
  /** Leave the queue when this aborts (the caller went away or was revoked); rejects with its reason. */
  signal?: AbortSignal | undefined;
}

/** Waited `waitMs` without getting a slot. */
export class SlotWaitTimeout extends Error {
  constructor(readonly waitMs: number) {
    super(`no free slot within ${waitMs} ms`);
    this.name = 'SlotWaitTimeout';
  }
}

interface Waiter {
  grant(release: Release): void;
}

export class Semaphore {
  private active = 0;
  private readonly waiters: Waiter[] = [];

  constructor(readonly limit: number) {}

  get inUse(): number {
    return this.active;
  }

  get queued(): number {
    return this.waiters.length;
  }

  acquire(options: AcquireOptions = {}): Promise<Release> {
    const { waitMs, signal } = options;
    if (signal?.aborted) return Promise.reject(signal.reason as Error);
    if (this.active < this.limit) {
      this.active++;
      return Promise.resolve(this.releaser());
    }
    return new Promise((resolve, reject) => {
      const leave = (error: Error): void => {
        const index = this.waiters.indexOf(waiter);
        if (index < 0) return;
        this.waiters.splice(index, 1);
        done();
        reject(error);
      };
      const onAbort = (): void => leave(signal!.reason as Error);
      const timer = waitMs === undefined ? undefined : setTimeout(() => leave(new SlotWaitTimeout(waitMs)), waitMs);
      const done = (): void => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
      };
      const waiter: Waiter = {
        grant: (release) => {
          done();
          resolve(release);
        },
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiters.push(waiter);
    });
  }

  private releaser(): Release {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.waiters.shift();
      if (next) next.grant(this.releaser());
      else this.active--;
    };
  }
}
