// Reads the stream of the XML fallback's loop-mode channel (xmlLoopCommand): one trimmed -q -x document per
// round, written whole by awk on the host, then a LOOP_END line when nvidia-smi stops; one batch per document.
import { errorMessage } from '../core/errors.js';
import type { LoopBatch } from './gpu-loop.reader.js';
import { LOOP_END } from './gpu-sample.script.js';
import { parseGpuXml } from './gpu-xml.parser.js';

export interface XmlLoopReaderOptions {
  onBatch(batch: LoopBatch): void;
  /** nvidia-smi's loop ended; `output` is what it printed that was not a reading (its complaint). */
  onEnd(exitCode: number, output: string): void;
  now?: () => number;
}

const OPEN = '<nvidia_smi_log>';
const CLOSE = '</nvidia_smi_log>';

export class GpuXmlLoopReader {
  private partial = '';
  /** The lines of the document being read; null between documents. */
  private document: string[] | null = null;
  private complaint: string[] = [];
  private readonly now: () => number;

  constructor(private readonly options: XmlLoopReaderOptions) {
    this.now = options.now ?? Date.now;
  }

  push(chunk: string): void {
    const lines = (this.partial + chunk).split('\n');
    this.partial = lines.pop()!;
    for (const line of lines) this.line(line.replace(/\r$/, ''));
  }

  private line(text: string): void {
    if (text.startsWith(`${LOOP_END} `)) {
      this.options.onEnd(Number(text.slice(LOOP_END.length + 1)), this.complaint.join('\n').trim());
      return;
    }
    if (text === OPEN) this.document = [];
    if (this.document === null) {
      // A login banner before the first round; later, nvidia-smi saying why it stops.
      this.complaint.push(text);
      return;
    }
    this.document.push(text);
    if (text !== CLOSE) return;
    const xml = this.document.join('\n');
    this.document = null;
    try {
      this.options.onBatch({ at: this.now(), gpus: parseGpuXml(xml).gpus });
    } catch (error) {
      // One unreadable round is skipped (the poller's wait times out if none comes); its reason is kept for the end.
      this.complaint.push(errorMessage(error));
    }
  }
}
