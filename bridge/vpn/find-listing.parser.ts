// A container directory listing parsed as it streams in: the real path on the first line, then find's
// NUL-separated -printf records ('%y\0%m\0%s\0%T@\0%f\0'). It keeps at most `maxEntries` entries and
// then says it is full, so however big the directory, the bridge holds one bounded listing per request.
import { AppError } from '../core/errors.js';
import { fileTypeOf, modeString, type DirectoryListing, type FileEntry } from '../core/file-system.js';

const FIELDS = 5;
/** No field of a sane listing comes near this (names are at most 255 bytes, paths 4096). */
const MAX_FIELD_BYTES = 64 * 1024;
export const TYPE_BITS: Record<string, number> = { d: 0o040000, f: 0o100000, l: 0o120000, c: 0o020000, b: 0o060000, p: 0o010000, s: 0o140000 };

export class FindListingParser {
  private path: string | null;
  private readonly entries: FileEntry[] = [];
  private fields: string[] = [];
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  truncated = false;

  /** `withPathLine`: the output starts with the directory's real path and a newline. */
  constructor(
    private readonly maxEntries: number,
    withPathLine = true,
  ) {
    this.path = withPathLine ? null : '';
  }

  /** Feed output; false once the listing is full (the caller stops reading). */
  push(chunk: Buffer): boolean {
    let start = 0;
    if (this.path === null) {
      const newline = chunk.indexOf(0x0a);
      if (newline < 0) return this.keep(chunk);
      this.path = this.take(chunk.subarray(0, newline));
      start = newline + 1;
    }
    for (let nul = chunk.indexOf(0, start); nul >= 0; nul = chunk.indexOf(0, start)) {
      this.fields.push(this.take(chunk.subarray(start, nul)));
      start = nul + 1;
      if (this.fields.length === FIELDS && !this.addEntry()) return false;
    }
    return this.keep(chunk.subarray(start));
  }

  result(): DirectoryListing {
    const entries = this.entries.sort((a, b) => Number(b.type === 'dir') - Number(a.type === 'dir') || a.name.localeCompare(b.name));
    return { path: this.path ?? '', entries, ...(this.truncated ? { truncated: true } : {}) };
  }

  private keep(rest: Buffer): boolean {
    if (rest.length === 0) return true;
    this.pendingBytes += rest.length;
    if (this.pendingBytes > MAX_FIELD_BYTES) throw new AppError('upstream_failed', 'The container listing has a field longer than 64 KiB');
    // A copy, so the rest of a large chunk is not kept alive by a view into it.
    this.pending.push(Buffer.from(rest));
    return true;
  }

  private take(tail: Buffer): string {
    const whole = this.pending.length ? Buffer.concat([...this.pending, tail]) : tail;
    this.pending = [];
    this.pendingBytes = 0;
    return whole.toString('utf8');
  }

  private addEntry(): boolean {
    const [type, perms, size, mtime, name] = this.fields as [string, string, string, string, string];
    this.fields = [];
    if (this.entries.length >= this.maxEntries) {
      this.truncated = true;
      return false;
    }
    const mode = (TYPE_BITS[type] ?? 0) | parseInt(perms, 8);
    this.entries.push({ name, size: Number(size), mode: modeString(mode), mtime: Math.floor(Number(mtime)), type: fileTypeOf(mode) });
    return true;
  }
}

/** Records without the path line, all of them (what a listing's tail holds). */
export function parseFindRecords(output: Buffer): FileEntry[] {
  const parser = new FindListingParser(Number.POSITIVE_INFINITY, false);
  parser.push(output);
  return parser.result().entries;
}
