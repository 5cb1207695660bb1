// CappedBuffer: keeps the first `limit` bytes of a stream and flags the rest as dropped.
import { describe, expect, it } from 'vitest';
import { CappedBuffer } from '../../../bridge/core/capped-buffer.js';

describe('CappedBuffer', () => {
  it('keeps everything under the limit', () => {
    const buffer = new CappedBuffer(10);
    buffer.push(Buffer.from('abc'));
    buffer.push(Buffer.from('def'));
    expect(buffer.value().toString()).toBe('abcdef');
    expect(buffer.truncated).toBe(false);
  });

  it('keeps exactly the limit without calling it truncated', () => {
    const buffer = new CappedBuffer(6);
    buffer.push(Buffer.from('abc'));
    buffer.push(Buffer.from('def'));
    expect(buffer.value().toString()).toBe('abcdef');
    expect(buffer.truncated).toBe(false);
  });

  it('cuts the chunk that crosses the limit and drops later ones', () => {
    const buffer = new CappedBuffer(5);
    buffer.push(Buffer.from('abc'));
    buffer.push(Buffer.from('defgh'));
    buffer.push(Buffer.from('ijk'));
    expect(buffer.value().toString()).toBe('abcde');
    expect(buffer.truncated).toBe(true);
  });

});
