// patternAsWritten: zod-to-openapi's `/flags` suffix taken off patterns, escaped slashes left alone.
import { describe, expect, it } from 'vitest';
import { patternAsWritten } from '../../../bridge/transport/openapi.js';

const asGenerated = (regex: RegExp) => regex.toString().replace(/^\/|\/$/g, '');

describe('patternAsWritten', () => {
  it('drops a u flag, so the pattern matches what the regex matched', () => {
    const pattern = patternAsWritten(asGenerated(/^[^\p{Cc}]+$/u));
    expect(pattern).toBe('^[^\\p{Cc}]+$');
    expect(new RegExp(pattern, 'u').test('My phone')).toBe(true);
    expect(new RegExp(pattern, 'u').test('bell\u0007')).toBe(false);
  });

  it('leaves patterns without flags as they are, escaped slashes included', () => {
    for (const regex of [/^[a-z]+$/, /a\/u/, /^\d+\/gi$/, /x\\\/y/]) expect(patternAsWritten(asGenerated(regex))).toBe(regex.source);
  });

  it('keeps an escaped backslash before the flags separator', () => {
    expect(patternAsWritten(asGenerated(/a\\/u))).toBe('a\\\\');
  });

  it('refuses flags JSON Schema cannot say, rather than publish a wrong pattern', () => {
    expect(() => patternAsWritten(asGenerated(/abc/i))).toThrow(/flag i/);
    expect(() => patternAsWritten(asGenerated(/a.c/su))).toThrow(/flag s/);
  });
});
