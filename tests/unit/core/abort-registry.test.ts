// AbortRegistry: work tracked per key is aborted together with the reason; finished work is forgotten.
import { describe, expect, it } from 'vitest';
import { AbortRegistry } from '../../../bridge/core/abort-registry.js';

describe('AbortRegistry', () => {
  it('aborts every piece of work of one key, with the reason, and leaves other keys alone', () => {
    const registry = new AbortRegistry();
    const a1 = registry.track('dev_a');
    const a2 = registry.track('dev_a');
    const b = registry.track('dev_b');
    const reason = new Error('revoked');
    expect(registry.abort('dev_a', reason)).toBe(2);
    expect(a1.signal.aborted && a2.signal.aborted).toBe(true);
    expect(a1.signal.reason).toBe(reason);
    expect(b.signal.aborted).toBe(false);
    expect(registry.count('dev_a')).toBe(0);
    expect(registry.count('dev_b')).toBe(1);
  });

  it('forgets finished work, so a later abort touches nothing', () => {
    const registry = new AbortRegistry();
    const work = registry.track('dev_a');
    work.done();
    work.done();
    expect(registry.count('dev_a')).toBe(0);
    expect(registry.abort('dev_a', new Error('revoked'))).toBe(0);
    expect(work.signal.aborted).toBe(false);
  });

  it('keys such as __proto__ and constructor are plain keys', () => {
    const registry = new AbortRegistry();
    const work = registry.track('__proto__');
    registry.track('constructor');
    expect(registry.count('__proto__')).toBe(1);
    expect(registry.abort('__proto__', new Error('x'))).toBe(1);
    expect(work.signal.aborted).toBe(true);
    expect(registry.count('constructor')).toBe(1);
  });
});
