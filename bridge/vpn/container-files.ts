// A user's container file system for /api/fs/list, /api/fs/read and /api/fs/download, through docker exec. Paths travel as
// argv elements ("$1" of a fixed script), never spliced into shell text; reads at an offset are one dd
// with large blocks (iflag=skip_bytes,count_bytes), not a byte at a time.
import { PassThrough, pipeline } from 'node:stream';
import { AppError } from '../core/errors.js';
import type { Release } from '../core/semaphore.js';
import type { DirectoryListing, DownloadSource, FileChunk, FileSystemTarget } from '../core/file-system.js';
import type { ContainerDriver, ExecStream } from './container-driver.js';
import type { ContainerExecSlots } from './container-exec-slots.js';
import { FindListingParser } from './find-listing.parser.js';

export const EXIT_MISSING = 2;
const EXIT_NOT_DIR = 3;
const EXIT_IS_DIR = 4;
export const EXIT_DENIED = 5;
export const EXIT_EXISTS = 6;
export const EXIT_FOLDER = 7;
const FS_TIMEOUT_MS = 30_000;
const READ_BLOCK_BYTES = 256 * 1024;
/** find's records have 5 fields; head(1) in the container stops find once a listing has enough. */
const FIND_FIELDS = 5;

// SECURITY: constant scripts; the caller's path is only ever "$1" (and numbers "$2" "$3" we format ourselves).
const CHECK = `[ -e "$1" ] || exit ${EXIT_MISSING}; [ -r "$1" ] || exit ${EXIT_DENIED}`;
const LIST_SCRIPT = `${CHECK}; [ -d "$1" ] || exit ${EXIT_NOT_DIR}; [ -x "$1" ] || exit ${EXIT_DENIED}
realpath -- "$1"
find "$1" -mindepth 1 -maxdepth 1 -printf '%y\\0%m\\0%s\\0%T@\\0%f\\0' | head -z -n "$2"`;
// Past the end of a file with a size there is nothing to read, and dd could not seek there (EINVAL).
const READ_SCRIPT = `${CHECK}; [ -d "$1" ] && exit ${EXIT_IS_DIR}
realpath -- "$1"
size=$(stat -L -c %s -- "$1"); echo "$size"
[ "$size" -gt 0 ] && [ "$2" -ge "$size" ] && exit 0
exec dd if="$1" iflag=skip_bytes,count_bytes skip="$2" count="$3" bs=${READ_BLOCK_BYTES} status=none`;
const STAT_SCRIPT = `${CHECK}; [ -d "$1" ] && exit ${EXIT_IS_DIR}
realpath -- "$1"
stat -L -c %s -- "$1"`;
// A download streams dd's stdout; without a count ("$3" empty) it reads to the end (files of size 0).
const STREAM_SCRIPT = `if [ -n "$3" ]; then exec dd if="$1" iflag=skip_bytes,count_bytes skip="$2" count="$3" bs=${READ_BLOCK_BYTES} status=none
else exec dd if="$1" iflag=skip_bytes skip="$2" bs=${READ_BLOCK_BYTES} status=none; fi`;

/** find(1) would read a leading '-' or '(' as an expression: relative paths get './' (the container's workdir). */
export function argvPath(requested: string): string {
  if (requested.includes('\0')) throw new AppError('invalid', 'path: must not contain NUL');
  return requested.startsWith('/') ? requested : `./${requested}`;
}

export interface ContainerFilesOptions {
  driver: ContainerDriver;
  containerId: string;
  /** Every exec here holds one of the user's slots (a download until it is closed). */
  slots: ContainerExecSlots;
  /** Entries past this are left out of a listing, which then says `truncated: true`. */
  listMaxEntries: number;
}

/** The exit codes of the scripts above as the errors they mean (null: it worked). */
function exitError(exitCode: number | null, timedOut: boolean, stderr: string, requested: string): AppError | null {
  switch (exitCode) {
    case 0:
      return null;
    case EXIT_MISSING:
      return new AppError('not_found', `No such file or directory: ${requested}`);
    case EXIT_NOT_DIR:
      return new AppError('invalid', `Not a directory: ${requested}`);
    case EXIT_IS_DIR:
      return new AppError('invalid', `Is a directory: ${requested}`);
    case EXIT_DENIED:
      return new AppError('forbidden', `Permission denied: ${requested}`);
    case EXIT_EXISTS:
      return new AppError('conflict', `Already exists: ${requested}`);
    case EXIT_FOLDER:
      return new AppError('conflict', `${requested} is a folder: delete it with recursive: true`);
    default:
      if (timedOut) return new AppError('upstream_timeout', `Reading ${requested} in the container timed out`);
      if (/cannot skip/.test(stderr)) return new AppError('invalid', `offset: past what the file system of ${requested} can seek to`);
      return new AppError('upstream_failed', `Reading ${requested} in the container failed: ${stderr.trim() || `exit ${exitCode}`}`);
  }
}

export interface FsScript {
  script: string;
  args: string[];
  /** The path as the caller wrote it, for messages. */
  requested: string;
  limit: number;
}

/** Run one of the constant scripts with its argv and map its exit code to an AppError kind. */
export async function runFsScript(driver: ContainerDriver, containerId: string, { script, args, requested, limit }: FsScript): Promise<Buffer> {
  // As the container's unprivileged user: what the user may change is what that user may change.
  const result = await driver.exec(containerId, {
    argv: ['sh', '-c', script, 'vigilink-fs', ...args],
    asUser: true,
    timeoutMs: FS_TIMEOUT_MS,
    outputLimitBytes: limit,
  });
  const error = exitError(result.exitCode, result.timedOut, result.stderr.toString('utf8'), requested);
  if (error) throw error;
  return result.stdout;
}

export class ContainerFiles implements FileSystemTarget {
  private readonly driver: ContainerDriver;
  private readonly containerId: string;

  constructor(private readonly options: ContainerFilesOptions) {
    this.driver = options.driver;
    this.containerId = options.containerId;
  }

  /** Run `work` holding one of the user's exec slots. */
  private async withSlot<T>(work: () => Promise<T>): Promise<T> {
    const release = await this.options.slots.acquire(this.containerId);
    try {
      return await work();
    } finally {
      release();
    }
  }

  private run(script: string, args: string[], requested: string, limit: number): Promise<Buffer> {
    return runFsScript(this.driver, this.containerId, { script, args, requested, limit });
  }

  list(requested: string): Promise<DirectoryListing> {
    const max = this.options.listMaxEntries;
    // One record more than kept, so a directory of exactly `max` entries is not called truncated.
    const args = [argvPath(requested), String((max + 1) * FIND_FIELDS)];
    return this.withSlot(async () => {
      const exec = await this.driver.openExec(this.containerId, ['sh', '-c', LIST_SCRIPT, 'vigilink-fs', ...args], { asUser: true });
      const parser = new FindListingParser(max);
      const { timedOut, parseError } = await readListing(exec, parser);
      if (parseError) throw parseError;
      // A full listing stopped reading on purpose; otherwise the script's exit says how it went.
      const error = parser.truncated ? null : exitError(await exec.exited, timedOut, exec.stderr(), requested);
      if (error) throw error;
      return parser.result();
    });
  }

  async read(requested: string, offset: number, length: number): Promise<FileChunk> {
    if (!Number.isSafeInteger(offset) || offset < 0 || !Number.isSafeInteger(length) || length < 0) {
      throw new AppError('invalid', 'offset and length must be whole numbers >= 0');
    }
    // Two header lines (real path, size) then the bytes; room for both in the cap.
    const out = await this.withSlot(() => this.run(READ_SCRIPT, [argvPath(requested), String(offset), String(length)], requested, length + 8192));
    const first = out.indexOf(0x0a);
    const second = out.indexOf(0x0a, first + 1);
    const size = Number(out.subarray(first + 1, second).toString('utf8'));
    const data = out.subarray(second + 1, second + 1 + length);
    // As SFTP reads: a short read is the end, and so is reaching the reported size (/proc files report 0).
    const eof = data.length < length || (size > 0 && offset + data.length >= size);
    return { path: out.subarray(0, first).toString('utf8'), offset, data, size, eof };
  }

  /** Check the file and learn its size, then stream it with dd on demand (backpressure reaches docker's socket). */
  async openDownload(requested: string): Promise<DownloadSource> {
    const target = argvPath(requested);
    // One slot for the whole download, taken before any header is sent (so a busy container is a clean 503).
    const release = await this.options.slots.acquire(this.containerId);
    let out: Buffer;
    try {
      out = await this.run(STAT_SCRIPT, [target], requested, 8192);
    } catch (error) {
      release();
      throw error;
    }
    const [realPath = requested, size = '0'] = out.toString('utf8').split('\n');
    const streams = new Set<PassThrough>();
    const releaseOnce = once(release);
    return {
      path: realPath,
      size: Number(size),
      stream: ({ start, end }) => {
        const body = new PassThrough();
        streams.add(body);
        body.once('close', () => streams.delete(body));
        const count = end === null ? '' : String(end - start + 1);
        this.driver
          .openExec(this.containerId, ['sh', '-c', STREAM_SCRIPT, 'vigilink-fs', target, String(start), count], {
            asUser: true,
            // dd runs with status=none: no output and no stderr is an empty file (or range), not a failure.
            failure: (stderr) => (stderr.trim() ? new AppError('upstream_failed', `Reading ${requested} in the container failed: ${stderr.trim()}`) : null),
          })
          .then(
            (exec) => {
              exec.stream.end();
              // Destroying the body (the client went away) destroys the exec's stream, ending dd.
              pipeline(exec.stream, body, () => undefined);
            },
            (error: unknown) => body.destroy(error as Error),
          );
        return body;
      },
      close: () => {
        for (const body of streams) body.destroy();
        releaseOnce();
      },
    };
  }
}

const once = (release: Release): Release => {
  let done = false;
  return () => {
    if (!done) release();
    done = true;
  };
};

/** Stream an exec's stdout into the parser until it ends, is full, overruns its time or is malformed. */
function readListing(exec: ExecStream, parser: FindListingParser): Promise<{ timedOut: boolean; parseError: Error | null }> {
  exec.stream.end();
  return new Promise((resolve) => {
    let timedOut = false;
    let parseError: Error | null = null;
    const timer = setTimeout(() => {
      timedOut = true;
      exec.stream.destroy();
    }, FS_TIMEOUT_MS);
    exec.stream.on('data', (chunk: Buffer) => {
      try {
        if (!parser.push(chunk)) exec.stream.destroy();
      } catch (error) {
        parseError = error as Error;
        exec.stream.destroy();
      }
    });
    exec.stream.on('error', () => undefined);
    exec.stream.on('close', () => {
      clearTimeout(timer);
      resolve({ timedOut, parseError });
    });
  });
}
