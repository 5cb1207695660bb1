// Shared wire pieces used by several capabilities' contracts. zod only: the renderer imports these too.
import { z } from 'zod';

export const ErrorBody = z
  .object({ detail: z.string().meta({ description: 'What went wrong, in words a person can act on' }) })
  .meta({ id: 'Error' });

/** A user id as the earlier backend accepted it: short, printable, no path or shell characters. */
export const UserId = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._@-]*$/, 'letters, digits and . _ @ - only')
  .meta({ description: 'The user the call acts for. A paired device may omit it (it acts for its own user).' });

export const SessionId = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'letters, digits and . _ - only');

/**
 * Text that travels inside an SSH request (an exec command, a user name, a password): OpenSSH reads
 * those as C strings and drops the whole connection on a NUL, and drops it too on a packet over its
 * 256 KiB limit (100,000 characters of 3-byte UTF-8 are 300 KB). Both are refused here, before they can
 * take a session (and every command running on it) down. TextEncoder, not Buffer: the renderer imports this.
 */
export const sshText = (maxBytes: number) =>
  z
    .string()
    .regex(/^[^\0]*$/, 'must not contain NUL')
    .refine((text) => text.length <= maxBytes && new TextEncoder().encode(text).length <= maxBytes, `must be at most ${maxBytes} bytes of UTF-8`);

/** Query-string booleans: "true"/"1" and friends. */
export const QueryBool = z
  .enum(['true', 'false', '1', '0'])
  .transform((v) => v === 'true' || v === '1');
