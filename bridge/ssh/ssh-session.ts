// One live SSH session: a single ssh2 connection (plus its jump host's, if any) on which every command,
// SFTP request and shell gets a channel of its own. Channels are bounded per connection (OpenSSH's
// MaxSessions is 10) and each one is closed on success, error and timeout alike.
import { EventEmitter } from 'node:events';
import type { Client, ClientChannel, PseudoTtyOptions, SFTPWrapper } from 'ssh2';
import { AppError, errorMessage } from '../core/errors.js';
import { Semaphore, SlotWaitTimeout, type Release } from '../core/semaphore.js';
import { CappedBuffer } from '../core/capped-buffer.js';
import type { ExecOptions, ExecResult } from '../core/exec.js';

/** How one connection shares its channels (OpenSSH's MaxSessions is 10). */
export interface ChannelLimits {
  maxChannels: number;
  /** Channels shells may never take, kept for commands and SFTP; shells get at least one. */
  reservedForCommands: number;
  /** How long a request waits for a free channel before a 503 with Retry-After. */
  waitMs: number;
}

export interface SessionInfo {
  userId: string;
  sessionId: string;
  hostname: string;
  username: string;
  port: number;
  connectedAt: string;
  viaJump: string | null;
  hostKeyFingerprint: string;
}

/** A channel handed out with its slot: `close` closes the channel, and the slot frees once it has closed. */
export interface LeasedChannel<T> {
  channel: T;
  close(): void;
}

type SessionEvents = { drop: [reason: string] };

/** Linux's MAX_ARG_STRLEN: the remote `sh -c <command>` can take no longer argument. */
const MAX_COMMAND_BYTES = 128 * 1024;

export class SshSession extends EventEmitter<SessionEvents> {
  private readonly slots: Semaphore;
  /** Shells take one of these before a channel slot, so they never hold the channels kept for commands. */
  private readonly shellSlots: Semaphore;
  private readonly waitMs: number;
  private closedReason: string | null = null;

  constructor(
    readonly info: SessionInfo,
    private readonly client: Client,
    limits: ChannelLimits,
    private readonly jumpClient: Client | null = null,
  ) {
    super();
    this.setMaxListeners(0);
    this.slots = new Semaphore(limits.maxChannels);
    this.shellSlots = new Semaphore(Math.max(1, limits.maxChannels - limits.reservedForCommands));
    this.waitMs = limits.waitMs;
    const onGone = (why: string) => () => this.markClosed(why);
    client.on('error', (error) => this.markClosed(dropReasonOf(error, 'connection')));
    client.on('end', onGone('the server ended the connection'));
    client.on('close', onGone('the connection closed (network drop or server shutdown)'));
    jumpClient?.on('error', (error) => this.markClosed(dropReasonOf(error, 'jump host connection')));
    // The jump connection's end comes before the tunnelled one notices: name the real cause.
    jumpClient?.on('end', onGone('the jump host connection closed'));
    jumpClient?.on('close', onGone('the jump host connection closed'));
  }

  get active(): boolean {
    return this.closedReason === null;
  }

  get dropReason(): string | null {
    return this.closedReason;
  }

  get channelsInUse(): number {
    return this.slots.inUse;
  }

  /** Close the connection on purpose (disconnect, replace, shutdown). */
  close(reason = 'disconnected'): void {
    const wasActive = this.active;
    this.closedReason ??= reason;
    this.client.end();
    this.jumpClient?.end();
    if (wasActive) this.emit('drop', this.closedReason);
  }

  private markClosed(reason: string): void {
    if (!this.active) return;
    this.closedReason = reason;
    this.client.end();
    this.jumpClient?.end();
    this.emit('drop', reason);
  }

  get shellsOpen(): number {
    return this.shellSlots.inUse;
  }

  private async takeSlot(slots: Semaphore = this.slots, signal?: AbortSignal): Promise<Release> {
    this.assertActive();
    const release = await slots.acquire({ waitMs: this.waitMs, signal }).catch((error: unknown) => {
      if (!(error instanceof SlotWaitTimeout)) throw error;
      const what = slots === this.slots ? 'channels' : 'channels that terminals may use';
      throw new AppError('unavailable', `All SSH ${what} of session '${this.info.sessionId}' stayed busy for ${error.waitMs / 1000} s: try again shortly`, {
        retryAfterSeconds: Math.max(1, Math.ceil(error.waitMs / 1000 / 2)),
      });
    });
    if (!this.active) {
      release();
      this.assertActive();
    }
    return release;
  }

  private assertActive(): void {
    if (!this.active) {
      throw new AppError('upstream_failed', `SSH session '${this.info.sessionId}' to ${this.info.hostname} is not active: ${this.closedReason}. Reconnect it.`);
    }
  }

  /** Run one command on a fresh channel of this connection. */
  async exec(command: string, options: ExecOptions): Promise<ExecResult> {
    // The last guard for callers that skip the HTTP contract: OpenSSH drops the whole connection on a NUL
    // or on a packet past its limit (and no shell takes one argument past Linux's 128 KiB anyway).
    if (command.includes('\0')) throw new AppError('invalid', 'command: must not contain NUL');
    if (Buffer.byteLength(command) > MAX_COMMAND_BYTES) throw new AppError('invalid', `command: must be at most ${MAX_COMMAND_BYTES} bytes of UTF-8`);
    const release = await this.takeSlot(this.slots, options.signal);
    try {
      // Listeners go on in `attach`, synchronously: exit-status can arrive in the same read as the confirmation.
      const collecting = await this.openChannel<ClientChannel, Promise<ExecResult>>(
        (callback) => this.client.exec(command, callback),
        (channel) => collectOutput(channel, options, this),
      );
      return await collecting;
    } finally {
      release();
    }
  }

  /**
   * A direct-tcpip channel to host:port as the server sees it (port forwards). It takes no slot: sshd's
   * MaxSessions counts session channels (commands, SFTP, shells), not forwarded ones.
   */
  forwardOut(host: string, port: number): Promise<ClientChannel> {
    this.assertActive();
    return new Promise((resolve, reject) => {
      this.client.forwardOut('127.0.0.1', 0, host, port, (error, channel) => {
        if (error) reject(new AppError('upstream_failed', `${host}:${port} could not be reached from ${this.info.hostname}: ${error.message}`));
        else resolve(channel);
      });
    });
  }

  /** An SFTP channel that holds a slot until closed. */
  async openSftp(): Promise<LeasedChannel<SFTPWrapper>> {
    const release = await this.takeSlot();
    try {
      const sftp = await this.openChannel<SFTPWrapper, SFTPWrapper>((callback) => this.client.sftp(callback), (channel) => channel);
      let closed = false;
      sftp.once('close', () => {
        closed = true;
        release();
      });
      // A protocol error breaks the channel: close it (pending calls fail) rather than crash on 'error'.
      sftp.on('error', () => sftp.end());
      return {
        channel: sftp,
        close: () => {
          if (!closed) sftp.end();
        },
      };
    } catch (error) {
      release();
      throw error;
    }
  }

  /** Run `work` with an SFTP channel that is closed afterwards whatever happens. */
  async withSftp<T>(work: (sftp: SFTPWrapper) => Promise<T>): Promise<T> {
    const lease = await this.openSftp();
    try {
      return await work(lease.channel);
    } finally {
      lease.close();
    }
  }

  /** An interactive shell with a PTY, holding a slot until its channel closes. */
  openShell(pty: PseudoTtyOptions): Promise<LeasedChannel<ClientChannel>> {
    return this.openLongLived((callback) => this.client.shell(pty, callback));
  }

  /** A long-running command (nvidia-smi's loop mode) read as a stream: held like a shell, never from the channels kept for commands. */
  openStream(command: string): Promise<LeasedChannel<ClientChannel>> {
    return this.openLongLived((callback) => this.client.exec(command, callback));
  }

  private async openLongLived(open: (callback: (error: Error | undefined, channel: ClientChannel) => void) => void): Promise<LeasedChannel<ClientChannel>> {
    const releaseShare = await this.takeSlot(this.shellSlots);
    const release = await this.takeSlot().catch((error: unknown) => {
      releaseShare();
      throw error;
    });
    const releaseBoth = (): void => {
      release();
      releaseShare();
    };
    try {
      const channel = await this.openChannel<ClientChannel, ClientChannel>(open, (stream) => stream);
      channel.once('close', releaseBoth);
      return { channel, close: () => channel.close() };
    } catch (error) {
      releaseBoth();
      throw error;
    }
  }

  /**
   * Open a channel (the caller holds a slot). sshd frees a closed channel's MaxSessions place a moment
   * after it confirms the close, so right after a burst of closes it may refuse an open that is within
   * the limit: while other channels of ours are open or closing, such a refusal is retried with backoff.
   */
  private openChannel<T, R>(open: (callback: (error: Error | undefined, channel: T) => void) => void, attach: (channel: T) => R): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      let attempt = 0;
      const tryOpen = (): void => {
        try {
          open((error, channel) => {
            if (!error) {
              resolve(attach(channel));
              return;
            }
            const refused = (error as Error & { reason?: unknown }).reason !== undefined;
            if (refused && this.active && this.slots.inUse > 1 && attempt < OPEN_RETRIES) {
              setTimeout(tryOpen, OPEN_RETRY_BASE_MS * 2 ** attempt++);
              return;
            }
            reject(channelError(error));
          });
        } catch (error) {
          // ssh2 throws synchronously when the socket is already gone.
          reject(channelError(error as Error));
        }
      };
      tryOpen();
    });
  }
}

/** 6 retries at 5, 10, ... 160 ms: a third of a second in all, far more than sshd needs to catch up. */
const OPEN_RETRIES = 6;
const OPEN_RETRY_BASE_MS = 5;

function channelError(error: Error): AppError {
  return new AppError('upstream_failed', `The SSH server refused a new channel: ${errorMessage(error)}`);
}

/** Why a connection went away, in words: ssh2 reports a dead peer as a 'client-timeout' keepalive error. */
export function dropReasonOf(error: Error & { level?: string }, what: string): string {
  if (error.level === 'client-timeout') {
    return `the ${what} stopped answering keepalives (network drop, VPN down or host down)`;
  }
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ECONNRESET' || code === 'EPIPE') return `the ${what} was reset (the server or the network dropped it)`;
  return `${what} error: ${error.message}`;
}

/**
 * Read a command's output with a cap per stream and a timeout. Resolves once the channel is closed (a
 * timeout signals KILL and closes it); rejects only when the whole session drops underneath it, or when
 * the caller's signal aborts (KILL and close too, then the signal's reason).
 */
function collectOutput(channel: ClientChannel, options: ExecOptions, session: SshSession): Promise<ExecResult> {
  return new Promise<ExecResult>((resolve, reject) => {
    const stdout = new CappedBuffer(options.outputLimitBytes);
    const stderr = new CappedBuffer(options.outputLimitBytes);
    let exitCode: number | null = null;
    let signal: string | null = null;
    let timedOut = false;
    let done = false;
    let grace: NodeJS.Timeout | undefined;

    const settle = (): boolean => {
      if (done) return false;
      done = true;
      clearTimeout(timer);
      clearTimeout(grace);
      session.off('drop', onDrop);
      options.signal?.removeEventListener('abort', onAbort);
      return true;
    };
    const finish = (): void => {
      if (!settle()) return;
      resolve({
        stdout: stdout.value(),
        stderr: stderr.value(),
        exitCode: timedOut ? null : exitCode,
        signal,
        timedOut,
        truncated: stdout.truncated || stderr.truncated,
      });
    };
    const timer = setTimeout(() => {
      timedOut = true;
      kill(channel);
      // A server that never confirms the close must not hold the answer.
      grace = setTimeout(finish, 2000);
    }, options.timeoutMs);
    const onDrop = (reason: string): void => {
      if (!settle()) return;
      reject(new AppError('upstream_failed', `The SSH session dropped while the command ran: ${reason}`));
    };
    session.once('drop', onDrop);
    // A revoked caller's command is killed, not left running on the server.
    const onAbort = (): void => {
      kill(channel);
      if (settle()) reject(options.signal!.reason as Error);
    };
    if (options.signal?.aborted) onAbort();
    options.signal?.addEventListener('abort', onAbort, { once: true });

    channel.on('data', (chunk: Buffer) => stdout.push(chunk));
    channel.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    channel.on('exit', (code: number | null, signalName?: string) => {
      exitCode = code;
      signal = signalName ?? null;
    });
    channel.on('close', finish);
    channel.on('error', () => {
      channel.close();
      finish();
    });
  });
}

/** KILL the remote process and close its channel. */
function kill(channel: ClientChannel): void {
  try {
    channel.signal('KILL');
  } catch {
    // Servers without signal support still get the channel closed below.
  }
  channel.close();
}
