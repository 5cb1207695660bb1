// Interactive PTY terminals: a shell on a user's SSH session (ssh2 `shell` with a pty) or in their VPN
// container, each owned by one client connection. At most N per user; output flow is paused on demand
// so a client that cannot keep up holds the remote program rather than the bridge's memory.
import crypto from 'node:crypto';
import type { TerminalTarget } from '../contracts/terminal.js';
import type { ContainerPort } from '../core/container-port.js';
import { AppError } from '../core/errors.js';
import type { PtySize, ShellExit, ShellHandle } from '../core/shell-handle.js';
import type { Logger } from '../core/logger.js';
import type { SshSession } from '../ssh/ssh-session.js';
import type { SshSessionService } from '../ssh/ssh-sessions.js';

export interface TerminalOutput {
  data(chunk: Buffer): void;
  /** Once, when the terminal ends for any reason. */
  exit(exit: ShellExit & { reason: string | null }): void;
}

export interface OpenTerminalRequest {
  userId: string;
  sessionId?: string | undefined;
  target: TerminalTarget;
  cols: number;
  rows: number;
  /** The connection that owns it (a socket id): its terminals close with it. */
  ownerKey: string;
}

export interface PtyTerminalServiceOptions {
  sessions: SshSessionService;
  logger: Logger;
  maxPerUser: number;
  /** Users' VPN containers, for terminals with target "container" (null: no containers). */
  containers: ContainerPort | null;
  /** How long to wait for a channel slot and the server's pty (default 15 s). */
  openTimeoutMs?: number;
  /** Told when a user's terminals open or close (the owner's overview counts them). */
  onChange?(userId: string): void;
}

const TERM = 'xterm-256color';

export class PtyTerminal {
  readonly id = `term_${crypto.randomBytes(8).toString('hex')}`;
  private output: TerminalOutput | null = null;
  private closedReason: string | null = null;
  private ended = false;

  constructor(
    readonly userId: string,
    readonly sessionId: string | null,
    readonly target: TerminalTarget,
    readonly ownerKey: string,
    private readonly shell: ShellHandle,
    private readonly session: SshSession | null,
    private readonly onEnd: (terminal: PtyTerminal) => void,
  ) {
    // Until attached nothing reads, so output waits in the channel (and its window) rather than being lost.
    shell.stream.on('error', () => this.close('the terminal stream failed'));
    // A dead connection ends its channels only once their output is read: close (and drain) at once,
    // so a paused terminal reports the drop too.
    session?.once('drop', this.onSessionDrop);
    void shell.exited.then((exit) => this.finish(exit));
  }

  private readonly onSessionDrop = (reason: string): void => this.close(`the SSH session dropped: ${reason}`);

  /** Closing or closed: no longer counts against the user's limit, though its channel may still be shutting. */
  get closing(): boolean {
    return this.ended || this.closedReason !== null;
  }

  /** Start delivering output. */
  attach(output: TerminalOutput): void {
    if (this.ended) {
      output.exit({ code: null, signal: null, reason: this.closedReason });
      return;
    }
    this.output = output;
    const deliver = (chunk: Buffer): void => {
      if (this.closedReason === null) output.data(chunk);
    };
    this.shell.stream.on('data', deliver);
    this.shell.stderr?.on('data', deliver);
  }

  write(data: string): void {
    if (!this.ended) this.shell.stream.write(data);
  }

  resize(cols: number, rows: number): void {
    if (!this.ended) this.shell.resize(cols, rows);
  }

  /** Stop reading output: the SSH window closes and the remote program blocks on its writes. */
  pause(): void {
    if (this.closedReason !== null) return;
    this.shell.stream.pause();
    this.shell.stderr?.pause();
  }

  resume(): void {
    if (this.ended || this.closedReason !== null) return;
    this.shell.stream.resume();
    this.shell.stderr?.resume();
  }

  close(reason: string): void {
    if (this.ended) return;
    this.closedReason ??= reason;
    this.shell.close();
    // ssh2 reports a channel closed only once its output is read to the end: drain what is left (to
    // nowhere), or a paused or never-attached terminal would hold its channel slot forever.
    this.shell.stream.resume();
    this.shell.stderr?.resume();
  }

  private finish(exit: ShellExit): void {
    if (this.ended) return;
    this.ended = true;
    this.session?.off('drop', this.onSessionDrop);
    const reason = this.closedReason ?? (this.session && !this.session.active ? `the SSH session dropped: ${this.session.dropReason}` : null);
    this.onEnd(this);
    this.output?.exit({ ...exit, reason });
  }
}

export class PtyTerminalService {
  private readonly terminals = new Map<string, PtyTerminal>();
  /** Opens under way per user, counted against the limit so racing opens cannot pass it. */
  private readonly opening = new Map<string, number>();

  constructor(private readonly options: PtyTerminalServiceOptions) {}

  /** Users with an open terminal. */
  users(): string[] {
    return [...new Set([...this.terminals.values()].filter((t) => !t.closing).map((t) => t.userId))];
  }

  countFor(userId: string): number {
    let count = this.opening.get(userId) ?? 0;
    for (const terminal of this.terminals.values()) if (terminal.userId === userId && !terminal.closing) count += 1;
    return count;
  }

  async open(request: OpenTerminalRequest): Promise<PtyTerminal> {
    const { userId } = request;
    if (this.countFor(userId) >= this.options.maxPerUser) {
      throw new AppError('conflict', `User '${userId}' already has ${this.options.maxPerUser} terminals open, the limit: close one first`);
    }
    this.opening.set(userId, (this.opening.get(userId) ?? 0) + 1);
    try {
      const pty: PtySize = { cols: request.cols, rows: request.rows, term: TERM };
      let shell: ShellHandle;
      let session: SshSession | null = null;
      if (request.target === 'container') {
        shell = await this.openContainerShell(userId, pty);
      } else {
        session = this.options.sessions.require(userId, request.sessionId);
        shell = await withTimeout(sshShell(session, pty), this.options.openTimeoutMs ?? 15_000);
      }
      const terminal = new PtyTerminal(userId, session?.info.sessionId ?? null, request.target, request.ownerKey, shell, session, (t) => {
        this.terminals.delete(t.id);
        this.options.onChange?.(userId);
      });
      this.terminals.set(terminal.id, terminal);
      this.options.onChange?.(userId);
      this.options.logger.info({ event: 'terminal.open', user_id: userId, terminal_id: terminal.id, target: request.target }, 'terminal opened');
      return terminal;
    } finally {
      const left = (this.opening.get(userId) ?? 1) - 1;
      if (left > 0) this.opening.set(userId, left);
      else this.opening.delete(userId);
    }
  }

  get(id: string): PtyTerminal | null {
    return this.terminals.get(id) ?? null;
  }

  closeOwnedBy(ownerKey: string, reason: string): void {
    for (const terminal of [...this.terminals.values()]) if (terminal.ownerKey === ownerKey) terminal.close(reason);
  }

  closeAll(reason: string): void {
    for (const terminal of [...this.terminals.values()]) terminal.close(reason);
  }

  private async openContainerShell(userId: string, pty: PtySize): Promise<ShellHandle> {
    const containers = this.options.containers;
    if (!containers) throw new AppError('unavailable', 'Container terminals are not available: this bridge runs no VPN containers');
    const shell = await containers.openShell(userId, pty);
    if (!shell) throw new AppError('not_found', `User '${userId}' has no VPN container: connect the VPN first`);
    return shell;
  }
}

/** An ssh2 `shell` channel with a pty, as a ShellHandle. */
async function sshShell(session: SshSession, pty: PtySize): Promise<ShellHandle> {
  const lease = await session.openShell({ term: pty.term, cols: pty.cols, rows: pty.rows, width: 0, height: 0 });
  const channel = lease.channel;
  const exited = new Promise<ShellExit>((resolve) => {
    const exit: ShellExit = { code: null, signal: null };
    channel.on('exit', (code: number | null, signal?: string) => {
      exit.code = code;
      exit.signal = signal ?? null;
    });
    channel.once('close', () => resolve(exit));
  });
  return {
    stream: channel,
    stderr: channel.stderr,
    resize: (cols, rows) => channel.setWindow(rows, cols, 0, 0),
    close: () => lease.close(),
    exited,
  };
}

/** Give up waiting for a shell after `ms`; one that arrives later is closed, not leaked. */
function withTimeout(opening: Promise<ShellHandle>, ms: number): Promise<ShellHandle> {
  return new Promise((resolve, reject) => {
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      reject(new AppError('upstream_timeout', `The SSH server did not open a terminal within ${Math.round(ms / 1000)} s (all channels busy?)`));
    }, ms);
    opening.then(
      (shell) => {
        clearTimeout(timer);
        if (timedOut) shell.close();
        else resolve(shell);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}
