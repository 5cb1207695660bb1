// Runs one command for a user, in the earlier backend's order: the user's VPN container (when there is
// one and no session was named), else an SSH session, else (only when allowed) the workstation itself.
import { execFile } from 'node:child_process';
import { AppError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { ExecOptions, ExecResult } from '../ssh/ssh-session.js';
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

/** Runs commands in a user's container; supplied by the VPN module. Null when the user has none. */
export interface ContainerCommandTarget {
  containerFor(userId: string): Promise<string | null>;
  exec(containerId: string, command: string, options: ExecOptions): Promise<ExecResult>;
}

export interface CommandServiceOptions {
  sessions: SshSessionService;
  logger: Logger;
  outputLimitBytes: number;
  allowLocalExec: boolean;
}

export class CommandService {
  private containerTarget: ContainerCommandTarget | null = null;

  constructor(private readonly options: CommandServiceOptions) {}

  setContainerTarget(target: ContainerCommandTarget | null): void {
    this.containerTarget = target;
  }

  /** The VPN module's container target, for capabilities that run their own commands there (GPU sampling). */
  get container(): ContainerCommandTarget | null {
    return this.containerTarget;
  }

  async run(request: CommandRequest): Promise<CommandOutcome> {
    const execOptions: ExecOptions = { timeoutMs: request.timeoutMs, outputLimitBytes: this.options.outputLimitBytes, signal: request.signal };
    const { userId, sessionId } = request;
    const log = (request.log ?? this.options.logger).child({ user_id: userId, session_id: sessionId ?? null });

    if (sessionId === undefined && this.containerTarget) {
      const containerId = await this.containerTarget.containerFor(userId);
      if (containerId) {
        const result = await this.containerTarget.exec(containerId, request.command, execOptions);
        log.info({ event: 'command.run', target: 'container', exit_code: result.exitCode }, 'command ran');
        return { ...result, containerId };
      }
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
