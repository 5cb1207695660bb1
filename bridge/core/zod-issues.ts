// The one way zod issues become a `detail` a person can act on: HTTP answers, socket acks, IPC refusals
// and configuration errors all name the field and say what is wrong with it, the same way.
import type { z } from 'zod';

/**
 * `field: message` per issue, joined with '; '. An issue on the value as a whole is named `whole` (query,
 * body, payload, args); a value that is missing says `Required`, as the earlier backend did.
 */
export function formatZodIssues(error: z.ZodError, whole: string): string {
  return error.issues
    .map((issue) => {
      const field = issue.path.length ? issue.path.join('.') : whole;
      const message = issue.code === 'invalid_type' && issue.input === undefined ? 'Required' : issue.message;
      return `${field}: ${message}`;
    })
    .join('; ');
}
