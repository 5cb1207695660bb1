// ContainerExecSlots: N execs per container at a time, a bounded wait, then 503 with Retry-After.
import { describe, expect, it } from 'vitest';
import { AppError } from '../../../bridge/core/errors.js';
import { ContainerExecSlots } from '../../../bridge/vpn/container-exec-slots.js';

describe('ContainerExecSlots', () => {
  it('lets N run per container, and a waiter in when one finishes', async () => {
    const slots = new ContainerExecSlots({ perContainer: 2, waitMs: 5_000 });
    const first = await slots.acquire('a');
    await slots.acquire('a');
    // Another container has its own slots.
    const other = await slots.acquire('b');
    let third = false;
    const waiting = slots.acquire('a').then((release) => ((third = true), release));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(third).toBe(false);
    first();
    (await waiting)();
    expect(third).toBe(true);
    expect(slots.inUse('a')).toBe(1);
    other();
    expect(slots.inUse('b')).toBe(0);
  });

  it('answers unavailable with Retry-After after the wait, and the abandoned place passes its slot on', async () => {
    const slots = new ContainerExecSlots({ perContainer: 1, waitMs: 50 });
    const held = await slots.acquire('a');
    const started = Date.now();
    const error = await slots.acquire('a').catch((e: unknown) => e);
    expect(Date.now() - started).toBeGreaterThanOrEqual(45);
    expect(error).toBeInstanceOf(AppError);
    expect(error).toMatchObject({ kind: 'unavailable', retryAfterSeconds: 2 });
    expect((error as AppError).message).toMatch(/busy/);
    const next = slots.acquire('a');
    held();
    (await next)();
    expect(slots.inUse('a')).toBe(0);
  });
});
