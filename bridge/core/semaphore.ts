// A counting semaphore with a FIFO queue: bounds how many channels one SSH connection holds open.

export type Release = () => void;

export class Semaphore {
  private active = 0;
  private readonly waiters: Array<(release: Release) => void> = [];

  constructor(readonly limit: number) {}

  get inUse(): number {
    return this.active;
  }

  get queued(): number {
    return this.waiters.length;
  }

  acquire(): Promise<Release> {
    if (this.active < this.limit) {
      this.active++;
      return Promise.resolve(this.releaser());
    }
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  private releaser(): Release {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.waiters.shift();
      if (next) next(this.releaser());
      else this.active--;
    };
  }
}
