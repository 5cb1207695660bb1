// Docker's multiplexed attach/exec/logs stream (8-byte frame headers: stream type, 3 zero bytes, length)
// split into stdout and stderr, and an exec's hijacked socket turned into a plain stdin/stdout Duplex.
import { Duplex } from 'node:stream';
import { CappedBuffer } from '../core/capped-buffer.js';

export type FrameSink = (stream: 'stdout' | 'stderr', payload: Buffer) => void;

const HEADER_BYTES = 8;

/** Incremental demuxer: feed it chunks in any sizes, it calls `sink` once per complete frame payload. */
export class FrameDemuxer {
  private pending: Buffer = Buffer.alloc(0);

  constructor(private readonly sink: FrameSink) {}

  push(chunk: Buffer): void {
    this.pending = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    while (this.pending.length >= HEADER_BYTES) {
      const length = this.pending.readUInt32BE(4);
      if (this.pending.length < HEADER_BYTES + length) break;
      const type = this.pending[0];
      const payload = this.pending.subarray(HEADER_BYTES, HEADER_BYTES + length);
      this.pending = this.pending.subarray(HEADER_BYTES + length);
      // 0 (stdin echo) never appears without a TTY; treat anything but 2 as stdout like docker does.
      if (length > 0) this.sink(type === 2 ? 'stderr' : 'stdout', payload);
    }
  }
}

/** Split a complete multiplexed buffer (a logs answer) into its stdout+stderr text, in order. */
export function demuxAll(buffer: Buffer): string {
  const parts: Buffer[] = [];
  new FrameDemuxer((_stream, payload) => parts.push(payload)).push(buffer);
  return Buffer.concat(parts).toString('utf8');
}

export interface ExecDuplexOptions {
  stderrLimitBytes?: number;
  /** Called when the socket closes before any stdout arrived: an error to destroy the stream with, or null. */
  failure?(stderr: string): Error | null;
}

/**
 * The process's stdin and stdout as one Duplex (what ssh2 wants as `sock`), over a hijacked exec socket
 * whose output is multiplexed. Backpressure goes both ways: a full reader pauses the socket.
 */
export class ExecDuplex extends Duplex {
  private readonly demuxer: FrameDemuxer;
  private readonly stderrBuffer: CappedBuffer;
  private sawStdout = false;

  constructor(
    private readonly socket: Duplex,
    private readonly options: ExecDuplexOptions = {},
  ) {
    super({ allowHalfOpen: true });
    this.stderrBuffer = new CappedBuffer(options.stderrLimitBytes ?? 8192);
    this.demuxer = new FrameDemuxer((stream, payload) => {
      if (stream === 'stderr') {
        this.stderrBuffer.push(payload);
        return;
      }
      this.sawStdout = true;
      if (!this.push(payload)) socket.pause();
    });
    socket.on('data', (chunk: Buffer) => this.demuxer.push(chunk));
    socket.on('error', (error) => this.destroy(error));
    socket.on('close', () => this.onSocketClosed());
  }

  stderr(): string {
    return this.stderrBuffer.value().toString('utf8');
  }

  private onSocketClosed(): void {
    if (this.destroyed) return;
    const failure = this.sawStdout ? null : (this.options.failure?.(this.stderr()) ?? null);
    if (failure) {
      this.destroy(failure);
      return;
    }
    this.push(null);
    // The process is gone, so the write side is too: close now rather than wait for a caller's end().
    setImmediate(() => this.destroy());
  }

  override _read(): void {
    this.socket.resume();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.socket.write(chunk, callback);
  }

  override _final(callback: (error?: Error | null) => void): void {
    // Half-close: docker closes the process's stdin and keeps its output flowing.
    this.socket.end();
    callback();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.socket.destroy();
    callback(error);
  }
}
