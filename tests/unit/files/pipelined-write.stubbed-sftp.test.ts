// pipelinedWrite against a STUBBED SFTP channel (an object with write() that completes when told): the
// bytes land at their offsets, no more than UPLOAD_WRITES_IN_FLIGHT are outstanding, completions out of
// order still count only bytes without a gap, a cut-off body resolves with what landed, an error rejects.
import { PassThrough, Readable } from 'node:stream';
import type { SFTPWrapper } from 'ssh2';
import { describe, expect, it } from 'vitest';
import { pipelinedWrite, UPLOAD_CHUNK_BYTES, UPLOAD_WRITES_IN_FLIGHT } from '../../../bridge/files/sftp-file-changes.js';

type Pending = { position: number; data: Buffer; done(error?: Error & { code?: number }): void };

function stubSftp() {
  const file = Buffer.alloc(4 * 1024 * 1024);
  const pending: Pending[] = [];
  let maxInFlight = 0;
  const sftp = {
    write(_handle: Buffer, buffer: Buffer, offset: number, length: number, position: number, cb: (error?: Error) => void) {
      const data = Buffer.from(buffer.subarray(offset, offset + length));
      pending.push({
        position,
        data,
        done: (error) => {
          if (!error) data.copy(file, position);
          cb(error);
        },
      });
      maxInFlight = Math.max(maxInFlight, pending.length);
    },
  };
  return { sftp: sftp as unknown as SFTPWrapper, file, pending, maxInFlight: () => maxInFlight };
}

/** Complete the outstanding writes (newest first when `reverse`) until the promise settles. */
async function drain(stub: ReturnType<typeof stubSftp>, settled: () => boolean, reverse = false): Promise<void> {
  while (!settled()) {
    await new Promise((resolve) => setImmediate(resolve));
    const batch = stub.pending.splice(0);
    for (const write of reverse ? batch.reverse() : batch) write.done();
  }
}

describe('pipelinedWrite', () => {
  it('writes every byte at its offset with at most the in-flight limit outstanding, out-of-order completions included', async () => {
    const stub = stubSftp();
    const bytes = Buffer.from(Array.from({ length: 3 * 1024 * 1024 + 5 }, (_, i) => (i * 7) % 251));
    let settled = false;
    const pieces = Array.from({ length: Math.ceil(bytes.length / 1_000_000) }, (_, i) => bytes.subarray(i * 1_000_000, (i + 1) * 1_000_000));
    const writing = pipelinedWrite(stub.sftp, Buffer.alloc(4), 'f', 1000, Readable.from(pieces)).finally(() => (settled = true));
    await drain(stub, () => settled, true);
    expect(await writing).toBe(1000 + bytes.length);
    expect(stub.file.subarray(1000, 1000 + bytes.length).equals(bytes)).toBe(true);
    // One incoming chunk (1 MB here) is split in several writes before the body pauses: the limit plus one chunk's pieces.
    expect(stub.maxInFlight()).toBeLessThanOrEqual(UPLOAD_WRITES_IN_FLIGHT + Math.ceil(1_000_000 / UPLOAD_CHUNK_BYTES));
  });

  it('resolves with the bytes that landed when the body is cut off', async () => {
    const stub = stubSftp();
    const body = new PassThrough();
    let settled = false;
    const writing = pipelinedWrite(stub.sftp, Buffer.alloc(4), 'f', 0, body).finally(() => (settled = true));
    body.write(Buffer.alloc(3 * UPLOAD_CHUNK_BYTES, 1));
    await new Promise((resolve) => setImmediate(resolve));
    body.destroy(new Error('aborted'));
    await drain(stub, () => settled);
    expect(await writing).toBe(3 * UPLOAD_CHUNK_BYTES);
  });

  it('stops at the first gap and rejects with the mapped SFTP error when a write fails', async () => {
    const stub = stubSftp();
    let settled = false;
    const outcome = pipelinedWrite(stub.sftp, Buffer.alloc(4), 'locked/f', 0, Readable.from([Buffer.alloc(2 * UPLOAD_CHUNK_BYTES)])).then(
      () => null,
      (error: unknown) => error,
    );
    void outcome.finally(() => (settled = true));
    await new Promise((resolve) => setImmediate(resolve));
    const [first, second] = stub.pending.splice(0);
    second!.done();
    first!.done(Object.assign(new Error('Permission denied'), { code: 3 }));
    await drain(stub, () => settled);
    expect(await outcome).toMatchObject({ kind: 'forbidden', message: 'Permission denied: locked/f' });
  });
});
