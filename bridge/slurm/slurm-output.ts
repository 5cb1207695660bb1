// A job's output file over the session's SFTP: the tail of it, and a follower that sends what is appended
// (tail -f), bounded per read, until the job ends (one last read then), the file goes, or it is stopped.
import type { FileChunk } from '../core/file-system.js';
import { errorMessage, isAppError } from '../core/errors.js';

/** What the follower reads through: SftpFiles over the session as it is now. */
interface OutputReader {
  read(path: string, offset: number, length: number): Promise<FileChunk>;
}

/** Bytes sent per follow step at most: a job printing fast is sent in steps, never all at once. */
const FOLLOW_CHUNK_BYTES = 64 * 1024;

interface OutputTail {
  path: string;
  size: number;
  offset: number;
  data: string;
}

/** The last `tailBytes` of a file (its size first, then one read of the end). */
export async function readTail(reader: OutputReader, path: string, tailBytes: number): Promise<OutputTail> {
  const { size } = await reader.read(path, 0, 0);
  const offset = Math.max(0, size - tailBytes);
  const chunk = tailBytes > 0 && size > 0 ? await reader.read(path, offset, size - offset) : null;
  return { path, size, offset, data: chunk ? chunk.data.toString('utf8') : '' };
}

interface FollowOptions {
  path: string;
  /** Where the first step starts (after the tail already sent). */
  offset: number;
  intervalMs: number;
  reader: () => OutputReader;
  onData(offset: number, data: string): void;
  onEnd(reason: string): void;
}

export class OutputFollower {
  private offset: number;
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;
  private ending: string | null = null;

  constructor(private readonly options: FollowOptions) {
    this.offset = options.offset;
    this.arm();
  }

  /** The job ended: read what is left, then end with `reason`. */
  jobEnded(reason: string): void {
    this.ending ??= reason;
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private arm(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => void this.step(), this.options.intervalMs);
    this.timer.unref?.();
  }

  private async step(): Promise<void> {
    this.timer = null;
    const ending = this.ending;
    try {
      // Drain fully once the job has ended; otherwise one bounded read per step.
      do {
        const chunk = await this.options.reader().read(this.options.path, this.offset, FOLLOW_CHUNK_BYTES);
        if (chunk.size < this.offset) this.offset = 0;
        if (!chunk.data.length || this.stopped) break;
        this.options.onData(this.offset, chunk.data.toString('utf8'));
        this.offset += chunk.data.length;
        if (chunk.eof) break;
      } while (ending);
    } catch (error) {
      // A file not there yet (the job is pending) is waited for until the job ends; any other failure
      // (the session went, permission) ends the follow.
      if (!(isAppError(error) && error.kind === 'not_found')) {
        this.finish(`output unavailable: ${errorMessage(error)}`);
        return;
      }
    }
    if (ending) this.finish(ending);
    else this.arm();
  }

  private finish(reason: string): void {
    if (this.stopped) return;
    this.stop();
    this.options.onEnd(reason);
  }
}
