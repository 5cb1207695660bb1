// formatZodIssues: the one `detail` wording for zod failures (HTTP, socket acks, IPC, configuration).
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { formatZodIssues } from '../../../bridge/core/zod-issues.js';

const failure = (schema: z.ZodType, value: unknown): z.ZodError => {
  const parsed = schema.safeParse(value);
  if (parsed.success) throw new Error('expected a failure');
  return parsed.error;
};

describe('formatZodIssues', () => {
  it('names each field by its path and joins the issues', () => {
    const schema = z.object({ hostname: z.string(), jump: z.object({ port: z.number().max(65535) }) });
    expect(formatZodIssues(failure(schema, { hostname: 1, jump: { port: 70000 } }), 'body')).toMatch(/^hostname: .+; jump\.port: .+$/);
  });

  it('says Required for a missing value', () => {
    expect(formatZodIssues(failure(z.object({ user_id: z.string() }), {}), 'query')).toBe('user_id: Required');
  });

  it('names an issue with the value as a whole after the part it was found in', () => {
    expect(formatZodIssues(failure(z.object({}), null), 'payload')).toMatch(/^payload: /);
  });
});
