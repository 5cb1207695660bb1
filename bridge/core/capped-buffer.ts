// Keeps the first `limit` bytes of a stream (a command's stdout or stderr) and flags the rest as dropped,
// so memory stays flat however much a command prints.

export class CappedBuffer {
  private readonly chunks: Buffer[] = [];
  private size = 0;
  truncated = false;

  constructor(private readonly limit: number) {}

  push(chunk: Buffer): void {
    const room = this.limit - this.size;
    if (chunk.length > room) this.truncated = true;
    if (room <= 0) return;
    // Copy a cut chunk, so the dropped rest of a large read is not kept alive by a view into it.
    const part = chunk.length > room ? Buffer.from(chunk.subarray(0, room)) : chunk;
    this.chunks.push(part);
    this.size += part.length;
  }

  value(): Buffer {
    return Buffer.concat(this.chunks, this.size);
  }
}
