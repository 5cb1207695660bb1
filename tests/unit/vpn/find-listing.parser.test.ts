// FindListingParser: a container listing parsed as it streams, in chunks of any size, kept to a limit.
import { describe, expect, it } from 'vitest';
import { FindListingParser } from '../../../bridge/vpn/find-listing.parser.js';

const record = (type: string, name: string, size = 1) => [type, type === 'd' ? '755' : '644', String(size), '1795847000.5', name, ''].join('\0');
const output = (path: string, names: string[]) => Buffer.from(`${path}\n${names.map((n) => record('f', n)).join('')}`);

/** Feed `data` in pieces of `size` bytes; stops when the parser says it is full. */
function feed(parser: FindListingParser, data: Buffer, size: number): number {
  let fed = 0;
  for (let i = 0; i < data.length; i += size) {
    fed++;
    if (!parser.push(data.subarray(i, i + size))) break;
  }
  return fed;
}

describe('FindListingParser', () => {
  it('gives the same listing whatever the chunk sizes, directories first', () => {
    const data = Buffer.from(`/home/vigilink/a dir\n${record('f', 'b.txt', 11)}${record('d', 'sub')}${record('l', 'ünï')}`);
    for (const size of [1, 2, 3, 7, 64, data.length]) {
      const parser = new FindListingParser(100);
      feed(parser, data, size);
      expect(parser.result(), `chunks of ${size}`).toEqual({
        path: '/home/vigilink/a dir',
        entries: [
          { name: 'sub', size: 1, mode: 'drwxr-xr-x', mtime: 1795847000, type: 'dir' },
          { name: 'b.txt', size: 11, mode: '-rw-r--r--', mtime: 1795847000, type: 'file' },
          { name: 'ünï', size: 1, mode: 'lrw-r--r--', mtime: 1795847000, type: 'link' },
        ],
      });
    }
  });

  it('keeps at most maxEntries, says truncated and asks to stop reading', () => {
    const names = Array.from({ length: 50 }, (_, i) => `f${String(i).padStart(2, '0')}`);
    const parser = new FindListingParser(10);
    const data = output('/big', names);
    const fed = feed(parser, data, 16);
    expect(fed).toBeLessThan(Math.ceil(data.length / 16));
    const listing = parser.result();
    expect(listing.truncated).toBe(true);
    expect(listing.entries.map((e) => e.name)).toEqual(names.slice(0, 10));
  });

  it('is not truncated with exactly maxEntries entries', () => {
    const parser = new FindListingParser(3);
    feed(parser, output('/d', ['a', 'b', 'c']), 5);
    expect(parser.result()).toMatchObject({ path: '/d', entries: [{ name: 'a' }, { name: 'b' }, { name: 'c' }] });
    expect(parser.result().truncated).toBeUndefined();
  });

  it('refuses a field that never ends instead of buffering it', () => {
    const parser = new FindListingParser(10);
    expect(() => feed(parser, Buffer.alloc(200 * 1024, 0x61), 4096)).toThrow(/longer than 64 KiB/);
  });
});
