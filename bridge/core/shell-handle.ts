// A shell on a pseudo-terminal, whatever runs it (an SSH channel, a docker exec): what terminals drive.
import type { Duplex, Readable } from 'node:stream';

/** A shell with a pty, whatever runs it (an SSH channel, a docker exec). */
export interface ShellHandle {
  /** Output of the shell (the pty merges stdout and stderr), and its keystrokes. */
  stream: Duplex;
  /** Extended data some servers still send separately. */
  stderr?: Readable;
  resize(cols: number, rows: number): void;
  close(): void;
  /** Settles once the shell has ended (never rejects). */
  exited: Promise<ShellExit>;
}

export interface ShellExit {
  code: number | null;
  signal: string | null;
}

export interface PtySize {
  cols: number;
  rows: number;
  term: string;
}
