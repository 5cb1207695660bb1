// A user's container file system for /api/fs/list, /api/fs/read and /api/fs/download, through docker exec. Paths travel as
// argv elements ("$1" of a fixed script), never spliced into shell text; reads at an offset are one dd
// with large blocks (iflag=skip_bytes,count_bytes), not a byte at a time.
import { PassThrough, pipeline } from 'node:stream';
import { AppError } from '../core/errors.js';
import {
  fileTypeOf,
  modeString,
  type DirectoryListing,
  type DownloadSource,
  type FileChunk,
  type FileEntry,
  type FileSystemTarget,
} from '../files/file-types.js';
import type { ContainerDriver } from './container-driver.js';

export const EXIT_MISSING = 2;
const EXIT_NOT_DIR = 3;
const EXIT_IS_DIR = 4;
export const EXIT_DENIED = 5;
export const EXIT_EXISTS = 6;
export const EXIT_FOLDER = 7;
const FS_TIMEOUT_MS = 30_000;
const READ_BLOCK_BYTES = 256 * 1024;
/** A listing's find output is kept up to this; a directory that big is cut (its first entries). */
const LIST_OUTPUT_LIMIT = 32 * 1024 * 1024;

// SECURITY: constant scripts; the caller's path is only ever "$1" (and numbers "$2" "$3" we format ourselves).
const CHECK = `[ -e "$1" ] || exit ${EXIT_MISSING}; [ -r "$1" ] || exit ${EXIT_DENIED}`;
const LIST_SCRIPT = `${CHECK}; [ -d "$1" ] || exit ${EXIT_NOT_DIR}; [ -x "$1" ] || exit ${EXIT_DENIED}
realpath -- "$1"
exec find "$1" -mindepth 1 -maxdepth 1 -printf '%y\\0%m\\0%s\\0%T@\\0%f\\0'`;
const READ_SCRIPT = `${CHECK}; [ -d "$1" ] && exit ${EXIT_IS_DIR}
realpath -- "$1"
stat -L -c %s -- "$1"
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

export const TYPE_BITS: Record<string, number> = { d: 0o040000, f: 0o100000, l: 0o120000, c: 0o020000, b: 0o060000, p: 0o010000, s: 0o140000 };

/** find -printf '%y\0%m\0%s\0%T@\0%f\0' records -> entries, directories first as SFTP listings are. */
export function parseFindRecords(output: Buffer): FileEntry[] {
  const fields = output.toString('utf8').split('\0');
  const entries: FileEntry[] = [];
  for (let i = 0; i + 4 < fields.length; i += 5) {
    const mode = (TYPE_BITS[fields[i]!] ?? 0) | parseInt(fields[i + 1]!, 8);
    entries.push({
      name: fields[i + 4]!,
      size: Number(fields[i + 2]),
      mode: modeString(mode),
      mtime: Math.floor(Number(fields[i + 3])),
      type: fileTypeOf(mode),
    });
  }
  return entries.sort((a, b) => Number(b.type === 'dir') - Number(a.type === 'dir') || a.name.localeCompare(b.name));
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
  const result = await driver.exec(containerId, {
    argv: ['sh', '-c', script, 'vigilink-fs', ...args],
    timeoutMs: FS_TIMEOUT_MS,
    outputLimitBytes: limit,
  });
  switch (result.exitCode) {
    case 0:
      return result.stdout;
    case EXIT_MISSING:
      throw new AppError('not_found', `No such file or directory: ${requested}`);
    case EXIT_NOT_DIR:
      throw new AppError('invalid', `Not a directory: ${requested}`);
    case EXIT_IS_DIR:
      throw new AppError('invalid', `Is a directory: ${requested}`);
    case EXIT_DENIED:
      throw new AppError('forbidden', `Permission denied: ${requested}`);
    case EXIT_EXISTS:
      throw new AppError('conflict', `Already exists: ${requested}`);
    case EXIT_FOLDER:
      throw new AppError('conflict', `${requested} is a folder: delete it with recursive: true`);
    default:
      if (result.timedOut) throw new AppError('upstream_timeout', `Working on ${requested} in the container timed out`);
      throw new AppError('upstream_failed', `Working on ${requested} in the container failed: ${result.stderr.toString('utf8').trim() || `exit ${result.exitCode}`}`);
  }
}

export class ContainerFiles implements FileSystemTarget {
  constructor(
    private readonly driver: ContainerDriver,
    private readonly containerId: string,
  ) {}

  private run(script: string, args: string[], requested: string, limit: number): Promise<Buffer> {
    return runFsScript(this.driver, this.containerId, { script, args, requested, limit });
  }

  async list(requested: string): Promise<DirectoryListing> {
    const out = await this.run(LIST_SCRIPT, [argvPath(requested)], requested, LIST_OUTPUT_LIMIT);
    const newline = out.indexOf(0x0a);
    return { path: out.subarray(0, newline).toString('utf8'), entries: parseFindRecords(out.subarray(newline + 1)) };
  }

  async read(requested: string, offset: number, length: number): Promise<FileChunk> {
    if (!Number.isSafeInteger(offset) || offset < 0 || !Number.isSafeInteger(length) || length < 0) {
      throw new AppError('invalid', 'offset and length must be whole numbers >= 0');
    }
    // Two header lines (real path, size) then the bytes; room for both in the cap.
    const out = await this.run(READ_SCRIPT, [argvPath(requested), String(offset), String(length)], requested, length + 8192);
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
    const out = await this.run(STAT_SCRIPT, [target], requested, 8192);
    const [realPath = requested, size = '0'] = out.toString('utf8').split('\n');
    const streams = new Set<PassThrough>();
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
            failure: (stderr) => new AppError('upstream_failed', `Reading ${requested} in the container failed: ${stderr.trim() || 'no output'}`),
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
      },
    };
  }
}
