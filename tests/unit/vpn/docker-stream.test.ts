// Docker's multiplexed stream framing and the exec Duplex, fed by hand-made frames (a stubbed socket).
import { Duplex, PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { demuxAll, ExecDuplex, FrameDemuxer } from '../../../bridge/vpn/docker-stream.js';

const frame = (type: 1 | 2, text: string): Buffer => {
  const payload = Buffer.from(text);
  const header = Buffer.alloc(8);
  header[0] = type;
  header.writeUInt32BE(payload.length, 4);
  return Buffer.concat([header, payload]);
};

describe('FrameDemuxer', () => {
  it('splits frames that arrive cut at any byte', () => {
    const all = Buffer.concat([frame(1, 'hello '), frame(2, 'oops'), frame(1, 'world')]);
    for (let cut = 1; cut < all.length; cut++) {
      const got: string[] = [];
      const demuxer = new FrameDemuxer((stream, payload) => got.push(`${stream}:${payload}`));
      demuxer.push(all.subarray(0, cut));
      demuxer.push(all.subarray(cut));
      expect(got).toEqual(['stdout:hello ', 'stderr:oops', 'stdout:world']);
    }
  });

  it('demuxAll joins a logs answer in order', () => {
    expect(demuxAll(Buffer.concat([frame(1, 'a\n'), frame(2, 'b\n')]))).toBe('a\nb\n');
  });
});

/** A stand-in for the hijacked exec socket: what the Duplex writes, and a way to feed it frames. */
function stubSocket(): { socket: Duplex; written: Buffer[]; feed(b: Buffer): void; close(): void } {
  const incoming = new PassThrough();
  const written: Buffer[] = [];
  const socket = new Duplex({
    read() {},
    write(chunk: Buffer, _enc, cb) {
      written.push(chunk);
      cb();
    },
  });
  incoming.on('data', (chunk: Buffer) => socket.push(chunk));
  return { socket, written, feed: (b) => incoming.write(b), close: () => socket.destroy() };
}

describe('ExecDuplex over a stubbed exec socket', () => {
  it('reads stdout only, writes stdin raw, keeps stderr aside', async () => {
    const stub = stubSocket();
    const duplex = new ExecDuplex(stub.socket);
    const out: string[] = [];
    duplex.on('data', (chunk: Buffer) => out.push(chunk.toString()));
    duplex.write('to stdin');
    stub.feed(Buffer.concat([frame(1, 'SSH-2.0-x\r\n'), frame(2, 'warning')]));
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(out.join('')).toBe('SSH-2.0-x\r\n');
    expect(Buffer.concat(stub.written).toString()).toBe('to stdin');
    expect(duplex.stderr()).toBe('warning');
  });

  it('fails with the mapped error when the process exits before any stdout', async () => {
    const stub = stubSocket();
    const duplex = new ExecDuplex(stub.socket, { failure: (stderr) => (stderr.includes('refused') ? Object.assign(new Error(stderr), { code: 'ECONNREFUSED' }) : null) });
    const failed = new Promise<Error>((resolve) => duplex.once('error', resolve));
    stub.feed(frame(2, 'E connect(): Connection refused'));
    await new Promise((resolve) => setTimeout(resolve, 10));
    stub.close();
    expect(((await failed) as Error & { code?: string }).code).toBe('ECONNREFUSED');
  });

  it('ends cleanly when the process exits after output', async () => {
    const stub = stubSocket();
    const duplex = new ExecDuplex(stub.socket, { failure: () => new Error('should not be used') });
    const chunks: string[] = [];
    duplex.on('data', (chunk: Buffer) => chunks.push(chunk.toString()));
    const ended = new Promise<void>((resolve) => duplex.once('end', resolve));
    stub.feed(frame(1, 'bye'));
    await new Promise((resolve) => setTimeout(resolve, 10));
    stub.close();
    await ended;
    expect(chunks.join('')).toBe('bye');
  });
});
