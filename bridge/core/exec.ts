// One command's options and result, whichever side runs it (an SSH session, a VPN container, the workstation).

export interface ExecOptions {
  timeoutMs: number;
  /** Bytes kept per stream; the rest is read and dropped so memory stays flat. */
  outputLimitBytes: number;
  /** Aborting kills the command and closes its channel (its device was revoked); the exec rejects with the reason. */
  signal?: AbortSignal | undefined;
}

export interface ExecResult {
  stdout: Buffer;
  stderr: Buffer;
  exitCode: number | null;
  signal: string | null;
  timedOut: boolean;
  truncated: boolean;
}
