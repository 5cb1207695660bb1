// Semaphore: at most `limit` holders, FIFO hand-over, double release harmless.
import { describe, expect, it } from 'vitest';
import { Semaphore } from '../../../bridge/core/semaphore.js';

describe('Semaphore', () => {
  it('hands out up to the limit at once and queues the rest', async () => {
    const semaphore = new Semaphore(2);
    const a = await semaphore.acquire();
    await semaphore.acquire();
    let thirdGot = false;
    const third = semaphore.acquire().then((release) => {
      thirdGot = true;
      return release;
    });
    await Promise.resolve();
    expect(semaphore.inUse).toBe(2);
    expect(semaphore.queued).toBe(1);
    expect(thirdGot).toBe(false);
    a();
    await third;
    expect(thirdGot).toBe(true);
    expect(semaphore.inUse).toBe(2);
    expect(semaphore.queued).toBe(0);
  });

  it('serves waiters first come, first served', async () => {
    const semaphore = new Semaphore(1);
    const first = await semaphore.acquire();
    const order: number[] = [];
    const waiters = [1, 2, 3].map((n) =>
      semaphore.acquire().then((release) => {
        order.push(n);
        release();
      }),
    );
    first();
    await Promise.all(waiters);
    expect(order).toEqual([1, 2, 3]);
    expect(semaphore.inUse).toBe(0);
  });

  it('ignores a second release of the same slot', async () => {
    const semaphore = new Semaphore(2);
    const release = await semaphore.acquire();
    await semaphore.acquire();
    release();
    release();
    expect(semaphore.inUse).toBe(1);
  });

  it('never lets more than the limit run, under a burst', async () => {
    const semaphore = new Semaphore(3);
    let running = 0;
    let peak = 0;
    await Promise.all(
      Array.from({ length: 50 }, async () => {
        const release = await semaphore.acquire();
        running++;
        peak = Math.max(peak, running);
        await new Promise((r) => setTimeout(r, 1));
        running--;
        release();
      }),
    );
    expect(peak).toBe(3);
    expect(semaphore.inUse).toBe(0);
  });
});
