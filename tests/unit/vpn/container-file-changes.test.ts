// The container's stat output (realpath line, then find's NUL-separated type, size and mtime) and the
// temporary names uploads and edits are written under.
import { describe, expect, it } from 'vitest';
import { parseStatOutput } from '../../../bridge/vpn/container-file-changes.js';
import { temporaryName } from '../../../bridge/files/file-changes.service.js';
import { etagOf } from '../../../bridge/core/file-system.js';

describe('parseStatOutput', () => {
  it('reads path, type, size and whole-second mtime', () => {
    expect(parseStatOutput(Buffer.from('/root/a b\nf\u00001234\u00001764480000.5123\u0000'))).toEqual({ path: '/root/a b', type: 'file', size: 1234, mtime: 1764480000 });
    expect(parseStatOutput(Buffer.from('/root/d\nd\u00004096\u00001764480000.0\u0000')).type).toBe('dir');
    expect(parseStatOutput(Buffer.from('/root/l\nl\u00003\u00001\u0000')).type).toBe('link');
  });
});

describe('temporaryName and etagOf', () => {
  it('hides the temporary file beside its destination', () => {
    expect(temporaryName('/home/u/data.csv', 'abc')).toBe('/home/u/.data.csv.vigilink-abc.part');
    expect(temporaryName('notes.txt', 'x')).toBe('.notes.txt.vigilink-x.part');
  });

  it('makes the ETag from size and mtime', () => {
    expect(etagOf({ size: 10, mtime: 1764480000 })).toBe('"10-1764480000"');
  });
});
