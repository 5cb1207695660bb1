// The line walk over host-trimmed -q -x: the tree fast-xml-parser would build, or null for anything else.
import { describe, expect, it } from 'vitest';
import { readXmlLines } from '../../../bridge/gpu/gpu-xml-lines.parser.js';

const ARRAYS = new Set(['gpu', 'process_info']);
const plain = (value: unknown): unknown => JSON.parse(JSON.stringify(value));

describe('readXmlLines', () => {
  it('leaves are trimmed text, repeated siblings and listed names are arrays, an element without children is empty text', () => {
    const text = ['<log>', '<gpu id="0">', '<used> 5 MiB </used>', '<used>7 MiB</used>', '<processes>', '</processes>', '</gpu>', '<gpu>', '<processes />', '</gpu>', '</log>', ''].join('\n');
    expect(plain(readXmlLines(text, ARRAYS))).toEqual({ log: { gpu: [{ used: ['5 MiB', '7 MiB'], processes: '' }, { processes: '' }] } });
  });

  it('decodes the five XML entities in text', () => {
    expect(plain(readXmlLines('<p>\n<name>a &amp; b &lt;c&gt; &quot;d&quot; &apos;e&apos;</name>\n</p>', ARRAYS))).toEqual({ p: { name: `a & b <c> "d" 'e'` } });
  });

  it.each([
    ['a declaration', '<?xml version="1.0" ?>\n<p>\n</p>'],
    ['a close that does not match', '<p>\n<q>\n</p>\n</q>'],
    ['an element left open', '<p>\n<q>\n</q>'],
    ['a close with nothing open', '</p>'],
    ['text across lines', '<p>\n<name>two\nlines</name>\n</p>'],
    ['a character reference', '<p>\n<name>&#65;</name>\n</p>'],
    ['a bare ampersand', '<p>\n<name>a & b</name>\n</p>'],
  ])('gives null for %s (the full parser reads it)', (_, text) => {
    expect(readXmlLines(text, ARRAYS)).toBeNull();
  });

  it('names from the host do not reach Object.prototype', () => {
    const tree = readXmlLines('<p>\n<__proto__>x</__proto__>\n<constructor>y</constructor>\n</p>', ARRAYS)!;
    const p = tree.p as Record<string, unknown>;
    expect(Object.keys(p)).toEqual(['__proto__', 'constructor']);
    expect([p['__proto__'], p['constructor']]).toEqual(['x', 'y']);
    expect(Object.getPrototypeOf(p)).toBeNull();
  });
});
