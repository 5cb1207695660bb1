// One watched session's loop-mode sampling: a long-lived channel running nvidia-smi's own loop (one NVML
// load for as long as someone watches), read by GpuLoopReader (CSV) or GpuXmlLoopReader (the XML fallback),
// handed to the poller one round per sample.
import type { ClientChannel } from 'ssh2';
import { errorMessage } from '../core/errors.js';
import type { LeasedChannel } from '../ssh/ssh-session.js';
import { GpuLoopReader, type LoopBatch } from './gpu-loop.reader.js';
import { parseOwners, type SampleOutcome } from './gpu-sample.parser.js';
import { loopCommand, xmlLoopCommand, type SampleMode } from './gpu-sample.script.js';
import { GpuXmlLoopReader } from './gpu-xml-loop.reader.js';
import type { GpuExecTarget } from './gpu-sampler.js';

/** A target that can also keep a command running as a stream (an SSH session). */
export interface GpuStreamTarget extends GpuExecTarget {
  openStream(command: string): Promise<LeasedChannel<ClientChannel>>;
}

/** SSH sessions can; the VPN container target cannot (its samples stay one exec each). */
export const isStreamTarget = (target: GpuExecTarget): target is GpuStreamTarget => typeof (target as Partial<GpuStreamTarget>).openStream === 'function';

export interface GpuLoopOptions {
  target: GpuStreamTarget;
  /** query: the CSV queries' loops; xml: -q -x's loop, for hosts whose driver rejects a CSV field. */
  mode: SampleMode;
  intervalMs: number;
  timeoutMs: number;
  /** The loop ended (or could not start); its `batches` say whether it ever delivered a round. */
  onEnd(loop: GpuLoop, why: string): void;
}

const PS_OUTPUT_LIMIT = 64 * 1024;

export class GpuLoop {
  readonly intervalMs: number;
  readonly mode: SampleMode;
  /** Rounds read so far; the poller gets each at most once. */
  batches = 0;
  private latest: LoopBatch | null = null;
  private delivered = 0;
  private ended = false;
  private lease: LeasedChannel<ClientChannel> | null = null;
  private readonly waiters = new Set<() => void>();
  /** Process owners by pid: ps runs (one exec) only when a round shows a pid not seen before. */
  private owners = new Map<number, string | null>();

  constructor(private readonly options: GpuLoopOptions) {
    this.intervalMs = options.intervalMs;
    this.mode = options.mode;
    void this.start();
  }

  /**
   * The next round not yet handed out: at once when one is waiting, else the one that comes within the
   * sample timeout (a wedged driver times out as an exec would). Null: the loop has nothing to give
   * (a CSV loop not started yet, or ended): the caller samples with an exec instead.
   */
  async next(): Promise<SampleOutcome | null> {
    // The XML loop's first round can come after an exec started later (a -q -x round is slow to come) and
    // hold an older reading: out of order, a memory alert would fire twice. So it is waited for.
    if (this.ended || (this.latest === null && this.mode !== 'xml')) return null;
    if (this.batches === this.delivered) {
      const arrived = await this.waitForRound();
      if (arrived === 'ended') return null;
      if (arrived === 'timeout') {
        // A wedged loop stays wedged: end it, so the next samples run under `timeout` in an exec of their own.
        this.close('no round within the sample timeout');
        return { status: 'failed', error: `nvidia-smi did not answer within ${this.options.timeoutMs / 1000} s (the driver may be wedged)`, timedOut: true, nextMode: this.mode };
      }
    }
    if (this.latest === null) return null;
    this.delivered = this.batches;
    const gpus = this.latest.gpus;
    await this.nameOwners(gpus.flatMap((gpu) => gpu.processes.map((p) => p.pid)));
    for (const gpu of gpus) for (const process of gpu.processes) process.user = this.owners.get(process.pid) ?? null;
    return { status: 'ok', gpus, source: this.mode, nextMode: this.mode };
  }

  close(why: string): void {
    if (this.ended) return;
    this.ended = true;
    const lease = this.lease;
    this.lease = null;
    if (lease) {
      try {
        lease.channel.signal('TERM');
      } catch {
        // Closing the channel ends the loop too: nvidia-smi dies of SIGPIPE on its next round.
      }
      lease.close();
    }
    for (const wake of this.waiters) wake();
    this.options.onEnd(this, why);
  }

  private async start(): Promise<void> {
    let lease: LeasedChannel<ClientChannel>;
    try {
      lease = await this.options.target.openStream(this.mode === 'xml' ? xmlLoopCommand(this.intervalMs) : loopCommand(this.intervalMs));
    } catch (error) {
      this.close(`the loop channel did not open: ${errorMessage(error)}`);
      return;
    }
    if (this.ended) {
      lease.close();
      return;
    }
    this.lease = lease;
    const onBatch = (batch: LoopBatch): void => {
      this.latest = batch;
      this.batches++;
      for (const wake of this.waiters) wake();
    };
    const onEnd = (code: number, output: string): void => this.close(`nvidia-smi's loop ended (exit ${code})${output ? `: ${output.split('\n')[0]}` : ''}`);
    lease.channel.setEncoding('utf8');
    lease.channel.stderr.setEncoding('utf8');
    if (this.mode === 'xml') {
      const reader = new GpuXmlLoopReader({ onBatch, onEnd });
      lease.channel.on('data', (chunk: string) => reader.push(chunk));
      lease.channel.stderr.resume();
    } else {
      const reader = new GpuLoopReader({ intervalMs: this.intervalMs, onBatch, onEnd });
      lease.channel.on('data', (chunk: string) => reader.push('gpu', chunk));
      lease.channel.stderr.on('data', (chunk: string) => reader.push('apps', chunk));
    }
    lease.channel.on('close', () => this.close('the loop channel closed'));
    lease.channel.on('error', () => this.close('the loop channel failed'));
  }

  private waitForRound(): Promise<'round' | 'ended' | 'timeout'> {
    return new Promise((resolve) => {
      const wake = (): void => {
        clearTimeout(timer);
        this.waiters.delete(wake);
        resolve(this.ended ? 'ended' : 'round');
      };
      const timer = setTimeout(() => {
        this.waiters.delete(wake);
        resolve('timeout');
      }, this.options.timeoutMs);
      this.waiters.add(wake);
    });
  }

  private async nameOwners(pids: number[]): Promise<void> {
    const unknown = pids.filter((pid) => !this.owners.has(pid));
    if (unknown.length) {
      const list = unknown.join(',');
      // SECURITY: the pids are integers parsed from nvidia-smi's output; nothing else enters the command.
      const command = `ps -o pid=,user:32= -p ${list} 2>/dev/null || ps -o pid=,user= -p ${list} 2>/dev/null`;
      const found = await this.options.target
        .exec(command, { timeoutMs: this.options.timeoutMs, outputLimitBytes: PS_OUTPUT_LIMIT })
        .then((result) => parseOwners(result.stdout.toString('utf8')), () => new Map<number, string>());
      for (const pid of unknown) this.owners.set(pid, found.get(pid) ?? null);
    }
    // Forget processes that are gone, so the map stays the size of what runs now.
    const current = new Set(pids);
    for (const pid of this.owners.keys()) if (!current.has(pid)) this.owners.delete(pid);
  }
}
