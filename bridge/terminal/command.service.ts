// Runs one command for a user, in the earlier backend's order: the user's VPN container (when there is
// one and no session was named), else an SSH session, else (only when allowed) the workstation itself.
import { execFile } from 'node:child_process';
import { AppError } from '../core/errors.js';
import type { ContainerPort } from '../core/container-port.js';
import type { Logger } from '../core/logger.js';
import type { ExecOptions, ExecResult } from '../core/exec.js';
import type { SshSessionService } from '../ssh/ssh-sessions.js';

export interface CommandRequest {
  userId: string;
  command: string;
  timeoutMs: number;
  sessionId?: string | undefined;
  /** Aborting kills the command on the SSH server (its device was revoked). */
  signal?: AbortSignal | undefined;
  /**
   * The owner asked. Only the owner may fall back to the workstation itself: a device with a shell there
   * could read owner.token and become the owner.
   */
  byOwner: boolean;
  /** The caller's logger (an HTTP request's carries its request id). */
  log?: Logger | undefined;
}

export interface CommandOutcome extends ExecResult {
  containerId: string | null;
}

export interface CommandServiceOptions {
  sessions: SshSessionService;
  logger: Logger;
  outputLimitBytes: number;
  allowLocalExec: boolean;
  /** Users' VPN containers, where a command goes when no session is named (null: no containers). */
  containers: ContainerPort | null;
}

export class CommandService {
  constructor(private readonly options: CommandServiceOptions) {}

  async run(request: CommandRequest): Promise<CommandOutcome> {
    const execOptions: ExecOptions = { timeoutMs: request.timeoutMs, outputLimitBytes: this.options.outputLimitBytes, signal: request.signal };
    const { userId, sessionId } = request;
    const log = (request.log ?? this.options.logger).child({ user_id: userId, session_id: sessionId ?? null });

    const containers = this.options.containers;
    const containerId = sessionId === undefined ? (containers?.containerFor(userId) ?? null) : null;
    if (containers && containerId) {
      const result = await containers.exec(containerId, request.command, execOptions);
      log.info({ event: 'command.run', target: 'container', exit_code: result.exitCode }, 'command ran');
      return { ...result, containerId };
    }
    const session = this.options.sessions.find(userId, sessionId);
    if (session) {
      const result = await session.exec(request.command, execOptions);
      log.info({ event: 'command.run', target: 'ssh', exit_code: result.exitCode, timed_out: result.timedOut }, 'command ran');
      return { ...result, containerId: null };
    }
    if (sessionId === undefined && this.options.allowLocalExec && request.byOwner) {
      log.warn({ event: 'command.run', target: 'local' }, 'running a command on the workstation (VIGILINK_ALLOW_LOCAL_EXEC=1)');
      return { ...(await runLocally(request.command, execOptions)), containerId: null };
    }
    this.options.sessions.require(userId, sessionId);
    throw new AppError('not_found', `User '${userId}' has no session to run the command on`);
  }
}

/** The earlier backend's "local, last resort", now opt-in. */
function runLocally(command: string, options: ExecOptions): Promise<ExecResult> {
  return new Promise((resolve) => {
    execFile(
      '/bin/sh',
      ['-c', command],
      { timeout: options.timeoutMs, maxBuffer: options.outputLimitBytes, encoding: 'buffer', killSignal: 'SIGKILL' },
      (error, stdout, stderr) => {
        const err = error as (NodeJS.ErrnoException & { killed?: boolean; signal?: string; code?: number | string }) | null;
        const truncated = err?.code === 'ERR_CHILD_PROCESS_STDIO_MAXBUFFER';
        const timedOut = Boolean(err?.killed) && !truncated;
        resolve({
          stdout: stdout.subarray(0, options.outputLimitBytes),
          stderr: stderr.subarray(0, options.outputLimitBytes),
          exitCode: timedOut ? null : typeof err?.code === 'number' ? err.code : err ? null : 0,
          signal: err?.signal ?? null,
          timedOut,
          truncated,
        });
      },
    );
  });
}
