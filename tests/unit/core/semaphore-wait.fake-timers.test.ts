// Semaphore waits on vitest's fake clock: a bounded wait gives up on time and leaves the queue, an
// aborted waiter leaves at once, and neither disturbs the waiters behind it.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Semaphore, SlotWaitTimeout } from '../../../bridge/core/semaphore.js';

describe('Semaphore bounded waits', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('rejects with SlotWaitTimeout after waitMs and takes the waiter out of the queue', async () => {
    const semaphore = new Semaphore(1);
    await semaphore.acquire();
    const waiting = semaphore.acquire({ waitMs: 30_000 });
    const outcome = waiting.then(
      () => 'got',
      (error: unknown) => error,
    );
    await vi.advanceTimersByTimeAsync(29_999);
    expect(semaphore.queued).toBe(1);
    await vi.advanceTimersByTimeAsync(1);
    const error = await outcome;
    expect(error).toBeInstanceOf(SlotWaitTimeout);
    expect((error as SlotWaitTimeout).waitMs).toBe(30_000);
    expect(semaphore.queued).toBe(0);
    expect(semaphore.inUse).toBe(1);
  });

  it('hands a freed slot to a waiter before its time runs out, and the timer no longer fires', async () => {
    const semaphore = new Semaphore(1);
    const first = await semaphore.acquire();
    const waiting = semaphore.acquire({ waitMs: 1000 });
    await vi.advanceTimersByTimeAsync(500);
    first();
    const release = await waiting;
    await vi.advanceTimersByTimeAsync(5000);
    expect(semaphore.inUse).toBe(1);
    release();
    expect(semaphore.inUse).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('a timed-out waiter does not take the slot of the one behind it', async () => {
    const semaphore = new Semaphore(1);
    const first = await semaphore.acquire();
    const impatient = semaphore.acquire({ waitMs: 100 }).catch((error: unknown) => error);
    const patient = semaphore.acquire();
    await vi.advanceTimersByTimeAsync(100);
    expect(await impatient).toBeInstanceOf(SlotWaitTimeout);
    first();
    const release = await patient;
    expect(semaphore.inUse).toBe(1);
    release();
    expect(semaphore.inUse).toBe(0);
  });

  it('an abort takes the waiter out with the signal reason; an aborted signal never queues', async () => {
    const semaphore = new Semaphore(1);
    await semaphore.acquire();
    const controller = new AbortController();
    const waiting = semaphore.acquire({ waitMs: 60_000, signal: controller.signal }).catch((error: unknown) => error);
    const reason = new Error('device revoked');
    controller.abort(reason);
    expect(await waiting).toBe(reason);
    expect(semaphore.queued).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
    await expect(semaphore.acquire({ signal: controller.signal })).rejects.toBe(reason);
    expect(semaphore.queued).toBe(0);
  });

  it('without waitMs a waiter waits as long as it takes', async () => {
    const semaphore = new Semaphore(1);
    const first = await semaphore.acquire();
    let got = false;
    const waiting = semaphore.acquire().then((release) => {
      got = true;
      return release;
    });
    await vi.advanceTimersByTimeAsync(24 * 3600 * 1000);
    expect(got).toBe(false);
    first();
    (await waiting)();
    expect(got).toBe(true);
  });
});
