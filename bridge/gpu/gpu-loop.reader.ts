// Reads the two streams of a loop-mode channel (loopCommand): --query-gpu rounds on stdout,
// --query-compute-apps rounds on stderr, each ending in a LOOP_END line; turns them into one batch of GPUs
// per round.
import type { Gpu } from '../contracts/gpu.js';
import { gpusFromCsv, parseNvidiaCsv, processesFromCsv } from './gpu-csv.parser.js';
import { APP_QUERY_FIELDS, GPU_QUERY_FIELDS, LOOP_END } from './gpu-sample.script.js';

export interface LoopBatch {
  at: number;
  gpus: Gpu[];
}

export interface LoopReaderOptions {
  intervalMs: number;
  onBatch(batch: LoopBatch): void;
  /** An nvidia-smi loop ended; `output` is what it printed that was not a reading (its complaint). */
  onEnd(exitCode: number, output: string): void;
  now?: () => number;
}

/** A GPU row starts with its index; anything else on the "g" stream is nvidia-smi talking (an error). */
const GPU_ROW = /^(\d+), /;
/**
 * The apps loop prints nothing in a round without compute processes, so its rounds have no boundary we
 * can see: a batch takes the apps lines of the last 1.5 intervals (one round, or two that overlap),
 * each process once. A process that ended shows for at most one round more.
 */
const APPS_WINDOW = 1.5;

/** Which of the loop's two streams a chunk came on. */
export type LoopStream = 'gpu' | 'apps';

export class GpuLoopReader {
  private readonly partial = new Map<LoopStream, string>();
  /** The GPU rows of the round being read. */
  private rows: string[] = [];
  private indexes = new Set<string>();
  /** GPUs per round, learned from the first complete round: a round then closes on its last row. */
  private gpuCount: number | null = null;
  private apps: Array<{ at: number; row: string }> = [];
  private complaint: string[] = [];
  private readonly now: () => number;

  constructor(private readonly options: LoopReaderOptions) {
    this.now = options.now ?? Date.now;
  }

  push(stream: LoopStream, chunk: string): void {
    const lines = ((this.partial.get(stream) ?? '') + chunk).split('\n');
    this.partial.set(stream, lines.pop()!);
    for (const line of lines) this.line(stream, line.replace(/\r$/, ''));
  }

  private line(stream: LoopStream, text: string): void {
    if (text.startsWith(`${LOOP_END} `)) {
      this.options.onEnd(Number(text.slice(LOOP_END.length + 1)), this.complaint.join('\n').trim());
      return;
    }
    if (stream === 'apps') {
      if (text.startsWith('GPU-') || text.startsWith('MIG-')) this.apps.push({ at: this.now(), row: text });
      else this.complaint.push(text);
      return;
    }
    const index = GPU_ROW.exec(text)?.[1];
    if (index === undefined) {
      // A login banner comes before the first round; later, this is nvidia-smi saying why it stops.
      this.complaint.push(text);
      return;
    }
    // An index seen already in this round starts the next one (the first round, before the count is known).
    if (this.indexes.has(index)) this.closeRound();
    this.rows.push(text);
    this.indexes.add(index);
    if (this.rows.length === this.gpuCount) this.closeRound();
  }

  private closeRound(): void {
    if (!this.rows.length) return;
    const at = this.now();
    this.gpuCount = this.rows.length;
    const gpus = gpusFromCsv(parseNvidiaCsv(this.rows.join('\n'), GPU_QUERY_FIELDS));
    this.rows = [];
    this.indexes = new Set();
    const since = at - this.options.intervalMs * APPS_WINDOW;
    this.apps = this.apps.filter((app) => app.at >= since);
    const seen = new Set<string>();
    const rows = this.apps.map((app) => app.row).reverse().filter((row) => {
      // gpu_uuid, pid: the same process on the same GPU in two overlapping rounds is one process.
      const key = row.split(', ', 2).join(', ');
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
    const byUuid = new Map(gpus.map((gpu) => [gpu.uuid, gpu]));
    for (const { gpu_uuid, ...process } of processesFromCsv(parseNvidiaCsv(rows.reverse().join('\n'), APP_QUERY_FIELDS))) {
      byUuid.get(gpu_uuid)?.processes.push(process);
    }
    this.options.onBatch({ at, gpus });
  }
}
