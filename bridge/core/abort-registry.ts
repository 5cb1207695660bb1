// In-flight work grouped by who started it (a device id): revoking a device aborts every request,
// command and download it still has running, not only its sockets.

/** One piece of tracked work: its signal, and done() once it has finished (idempotent). */
export interface TrackedWork {
  signal: AbortSignal;
  done(): void;
}

export class AbortRegistry {
  private readonly running = new Map<string, Set<AbortController>>();

  /** Track work for `key` until done() is called; abort(key) aborts its signal. */
  track(key: string): TrackedWork {
    const controller = new AbortController();
    const set = this.running.get(key) ?? new Set<AbortController>();
    set.add(controller);
    this.running.set(key, set);
    return {
      signal: controller.signal,
      done: () => {
        set.delete(controller);
        if (set.size === 0 && this.running.get(key) === set) this.running.delete(key);
      },
    };
  }

  /** Abort everything `key` has running, with `reason` as each signal's reason; returns how many. */
  abort(key: string, reason: Error): number {
    const set = this.running.get(key);
    if (!set) return 0;
    this.running.delete(key);
    for (const controller of set) controller.abort(reason);
    return set.size;
  }

  /** Work in flight for `key` (tests and diagnostics). */
  count(key: string): number {
    return this.running.get(key)?.size ?? 0;
  }
}
