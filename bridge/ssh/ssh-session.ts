// One live SSH session: a single ssh2 connection (plus its jump host's, if any) on which every command,
// SFTP request and shell gets a channel of its own. Channels are bounded per connection (OpenSSH's
// MaxSessions is 10) and each one is closed on success, error and timeout alike.
import { EventEmitter } from 'node:events';
import type { Client, ClientChannel, PseudoTtyOptions, SFTPWrapper } from 'ssh2';
import { AppError, errorMessage } from '../core/errors.js';
import { Semaphore, type Release } from '../core/semaphore.js';

export interface ExecOptions {
  timeoutMs: number;
  /** Bytes kept per stream; the rest is read and dropped so memory stays flat. */
  outputLimitBytes: number;
}

export interface ExecResult {
  stdout: Buffer;
  stderr: Buffer;
  exitCode: number | null;
  signal: string | null;
  timedOut: boolean;
  truncated: boolean;
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

/** A channel handed out with its slot; `release` closes nothing, `close` does both. */
export interface LeasedChannel<T> {
  channel: T;
  close(): void;
}

type SessionEvents = { drop: [reason: string] };

export class SshSession extends EventEmitter<SessionEvents> {
  private readonly slots: Semaphore;
  private closedReason: string | null = null;

  constructor(
    readonly info: SessionInfo,
    private readonly client: Client,
    maxChannels: number,
    private readonly jumpClient: Client | null = null,
  ) {
    super();
    this.setMaxListeners(0);
    this.slots = new Semaphore(maxChannels);
    const onGone = (why: string) => () => this.markClosed(why);
    client.on('error', (error) => this.markClosed(`connection error: ${error.message}`));
    client.on('close', onGone('the connection closed (network drop or server shutdown)'));
    client.on('end', onGone('the server ended the connection'));
    jumpClient?.on('close', onGone('the jump host connection closed'));
    jumpClient?.on('error', (error) => this.markClosed(`jump host error: ${error.message}`));
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

  private async takeSlot(): Promise<Release> {
    this.assertActive();
    const release = await this.slots.acquire();
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
    const release = await this.takeSlot();
    return new Promise<ExecResult>((resolve, reject) => {
      this.client.exec(command, (error, channel) => {
        if (error) {
          release();
          reject(channelError(error));
          return;
        }
        // Listeners go on synchronously: exit-status can arrive in the same read as the channel confirmation.
        collectOutput(channel, options, this).then(resolve, reject).finally(release);
      });
    });
  }

  /** An SFTP channel that holds a slot until closed. */
  async openSftp(): Promise<LeasedChannel<SFTPWrapper>> {
    const release = await this.takeSlot();
    try {
      const sftp = await new Promise<SFTPWrapper>((resolve, reject) => {
        this.client.sftp((error, channel) => (error ? reject(channelError(error)) : resolve(channel)));
      });
      let closed = false;
      sftp.on('close', () => {
        closed = true;
        release();
      });
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
  async openShell(pty: PseudoTtyOptions): Promise<LeasedChannel<ClientChannel>> {
    const release = await this.takeSlot();
    try {
      const channel = await new Promise<ClientChannel>((resolve, reject) => {
        this.client.shell(pty, (error, stream) => (error ? reject(channelError(error)) : resolve(stream)));
      });
      channel.once('close', release);
      return { channel, close: () => channel.close() };
    } catch (error) {
      release();
      throw error;
    }
  }
}

function channelError(error: Error): AppError {
  return new AppError('upstream_failed', `The SSH server refused a new channel: ${errorMessage(error)}`);
}

/** Read a command's output with a cap per stream and a timeout; always ends with the channel closed. */
function collectOutput(channel: ClientChannel, options: ExecOptions, session: SshSession): Promise<ExecResult> {
  return new Promise<ExecResult>((resolve) => {
    const stdout = new CappedBuffer(options.outputLimitBytes);
    const stderr = new CappedBuffer(options.outputLimitBytes);
    let exitCode: number | null = null;
    let signal: string | null = null;
    let timedOut = false;
    let done = false;

    const finish = (): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      clearTimeout(grace);
      session.off('drop', onDrop);
      resolve({
        stdout: stdout.value(),
        stderr: stderr.value(),
        exitCode: timedOut ? null : exitCode,
        signal,
        timedOut,
        truncated: stdout.truncated || stderr.truncated,
      });
    };
    let grace: NodeJS.Timeout | undefined;
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        channel.signal('KILL');
      } catch {
        // Servers without signal support still get the channel closed below.
      }
      channel.close();
      // A server that never confirms the close must not hold the answer.
      grace = setTimeout(finish, 2000);
    }, options.timeoutMs);
    const onDrop = (): void => finish();
    session.once('drop', onDrop);

    channel.on('data', (chunk: Buffer) => stdout.push(chunk));
    channel.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    channel.on('exit', (code: number | null, signalName?: string) => {
      exitCode = code;
      signal = signalName ?? null;
    });
    channel.on('close', finish);
    channel.on('error', finish);
  });
}

/** Keeps the first `limit` bytes of a stream and counts the rest. */
export class CappedBuffer {
  private readonly chunks: Buffer[] = [];
  private size = 0;
  truncated = false;

  constructor(private readonly limit: number) {}

  push(chunk: Buffer): void {
    const room = this.limit - this.size;
    if (room <= 0) {
      this.truncated = true;
      return;
    }
    if (chunk.length > room) {
      this.truncated = true;
      chunk = Buffer.from(chunk.subarray(0, room));
    }
    this.chunks.push(chunk);
    this.size += chunk.length;
  }

  value(): Buffer {
    return Buffer.concat(this.chunks, this.size);
  }
}
