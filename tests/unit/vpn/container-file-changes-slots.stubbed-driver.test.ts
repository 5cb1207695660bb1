// ContainerFileChanges with a stub container driver (execs that finish when the test says): every change
// holds one of the user's exec slots while its exec runs, and an upload holds one until its dd exits.
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { ExecResult } from '../../../bridge/core/exec.js';
import type { ContainerDriver, ExecStream } from '../../../bridge/vpn/container-driver.js';
import { ContainerExecSlots } from '../../../bridge/vpn/container-exec-slots.js';
import { ContainerFileChanges } from '../../../bridge/vpn/container-file-changes.js';

const STAT_OUT = Buffer.from('/home/vigilink/x\nf\u00003\u00001764480000.0\u0000');

function setup(perContainer: number) {
  const finishExec: Array<() => void> = [];
  const finishWrite: Array<() => void> = [];
  const driver = {
    exec: () =>
      new Promise<ExecResult>((resolve) => {
        finishExec.push(() => resolve({ stdout: STAT_OUT, stderr: Buffer.alloc(0), exitCode: 0, signal: null, timedOut: false, truncated: false }));
      }),
    openExec: async (): Promise<ExecStream> => {
      const stream = new PassThrough();
      const exited = new Promise<number | null>((resolve) => finishWrite.push(() => resolve(0)));
      return { stream, stderr: () => '', exited };
    },
  } as unknown as ContainerDriver;
  const slots = new ContainerExecSlots({ perContainer, waitMs: 100 });
  return { changes: new ContainerFileChanges(driver, 'c1', slots), slots, finishExec, finishWrite };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 10));

describe('ContainerFileChanges and the exec slots', () => {
  it('holds a slot for each mkdir, rename, delete and commit while its exec runs', async () => {
    const { changes, slots, finishExec } = setup(4);
    const running = [changes.mkdir('/home/vigilink/d'), changes.rename('/a', '/b'), changes.remove('/a', false), changes.commit('/t', '/x', true)];
    await settle();
    expect(slots.inUse('c1')).toBe(4);
    for (const finish of finishExec) finish();
    await Promise.all(running);
    expect(slots.inUse('c1')).toBe(0);
  });

  it('answers 503 when the user has no slot left, and runs nothing', async () => {
    const { changes, finishExec } = setup(1);
    const first = changes.mkdir('/home/vigilink/d');
    await settle();
    await expect(changes.rename('/a', '/b')).rejects.toMatchObject({ kind: 'unavailable', retryAfterSeconds: 2 });
    expect(finishExec).toHaveLength(1);
    finishExec[0]!();
    await first;
  });

  it('holds a slot for an upload until its dd exits, then frees it before the closing stat', async () => {
    const { changes, slots, finishExec, finishWrite } = setup(1);
    const body = new PassThrough();
    const written = changes.writeAt('/home/vigilink/x', 0, body);
    await settle();
    expect(slots.inUse('c1')).toBe(1);
    body.end('abc');
    await settle();
    expect(slots.inUse('c1')).toBe(1);
    finishWrite[0]!();
    await settle();
    // The stat runs in the slot the write gave back: with one slot, it would be refused otherwise.
    expect(finishExec).toHaveLength(1);
    finishExec[0]!();
    expect(await written).toBe(3);
    expect(slots.inUse('c1')).toBe(0);
  });
});
