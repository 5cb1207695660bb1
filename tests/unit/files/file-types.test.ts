// modeString and fileTypeOf: SFTP's numeric st_mode as ls shows it.
import { describe, expect, it } from 'vitest';
import { fileTypeOf, modeString } from '../../../bridge/core/file-system.js';
import { contentDisposition } from '../../../bridge/files/file-download.js';

describe('modeString', () => {
  it.each([
    [0o040755, 'drwxr-xr-x'],
    [0o100644, '-rw-r--r--'],
    [0o100600, '-rw-------'],
    [0o120777, 'lrwxrwxrwx'],
    [0o104755, '-rwsr-xr-x'],
    [0o104644, '-rwSr--r--'],
    [0o102755, '-rwxr-sr-x'],
    [0o102745, '-rwxr-Sr-x'],
    [0o041777, 'drwxrwxrwt'],
    [0o041776, 'drwxrwxrwT'],
    [0o020620, 'crw--w----'],
    [0o060660, 'brw-rw----'],
    [0o010644, 'prw-r--r--'],
    [0o140755, 'srwxr-xr-x'],
    [0o000000, '?---------'],
  ])('%o -> %s', (mode, expected) => {
    expect(modeString(mode)).toBe(expected);
  });
});

describe('fileTypeOf', () => {
  it.each([
    [0o040755, 'dir'],
    [0o100644, 'file'],
    [0o120777, 'link'],
    [0o010644, 'other'],
    [0o140755, 'other'],
    [0o020620, 'other'],
  ] as const)('%o -> %s', (mode, expected) => {
    expect(fileTypeOf(mode)).toBe(expected);
  });
});

describe('contentDisposition', () => {
  it('keeps a plain name as is', () => {
    expect(contentDisposition('report.csv')).toBe(`attachment; filename="report.csv"; filename*=UTF-8''report.csv`);
  });

  it('gives quotes, backslashes and non-ASCII an ASCII fallback and the exact name encoded', () => {
    expect(contentDisposition('résumé "v2"\\.txt')).toBe(
      `attachment; filename="r_sum_ _v2__.txt"; filename*=UTF-8''r%C3%A9sum%C3%A9%20%22v2%22%5C.txt`,
    );
  });

  it('cannot be broken out of with a newline', () => {
    expect(contentDisposition('a\r\nSet-Cookie: x')).not.toMatch(/[\r\n]/);
  });
});
