// Wire shapes of interactive terminals over socket.io (term:open/input/resize/close, term:data/exit).
import { z } from 'zod';
import { SessionId, UserId } from './common.js';

const Cols = z.number().int().min(1).max(1000);
const Rows = z.number().int().min(1).max(1000);
export const TerminalId = z.string().min(1).max(64);

export const TerminalTarget = z.enum(['ssh', 'container']);
export type TerminalTarget = z.infer<typeof TerminalTarget>;

export const TermOpenPayload = z.object({
  user_id: UserId.optional(),
  session_id: SessionId.optional().meta({ description: 'Default: session `default`, else the newest active one' }),
  cols: Cols,
  rows: Rows,
  target: TerminalTarget.default('ssh').meta({ description: "'container': a shell in the user's VPN container" }),
});

export const TermOpened = z.object({
  terminal_id: TerminalId,
  user_id: z.string(),
  session_id: z.string().nullable(),
  target: TerminalTarget,
  cols: z.number(),
  rows: z.number(),
});
export type TermOpened = z.infer<typeof TermOpened>;

export const TermInputPayload = z.object({ terminal_id: TerminalId, data: z.string().min(1).max(64 * 1024) });
export const TermResizePayload = z.object({ terminal_id: TerminalId, cols: Cols, rows: Rows });
export const TermClosePayload = z.object({ terminal_id: TerminalId });

/**
 * Output bytes, as binary (an ArrayBuffer in browsers, a Buffer in Node): a UTF-8 character split across
 * two chunks must not be mangled. The client acks each chunk once it has taken it; the bridge pauses the
 * shell while too many bytes are unacknowledged, so a slow client holds the remote program, not memory.
 */
export interface TermData {
  terminal_id: string;
  data: ArrayBuffer | Uint8Array;
}

export interface TermExit {
  terminal_id: string;
  exit_code: number | null;
  signal: string | null;
  /** Why it ended when the shell did not simply exit (session dropped, closed by the client, socket gone). */
  reason: string | null;
}
