// Files over an SSH session's SFTP: list, read a window, and stream a download with several reads in
// flight (ssh2's plain read stream keeps one, which crawls on any real latency).
import path from 'node:path/posix';
import { Readable } from 'node:stream';
import type { SFTPWrapper, Stats } from 'ssh2';
import { AppError } from '../core/errors.js';
import type { SshSession } from '../ssh/ssh-session.js';
import { fileTypeOf, modeString, type DirectoryListing, type DownloadSource, type FileChunk, type FileSystemTarget } from '../core/file-system.js';

const SFTP_NO_SUCH_FILE = 2;
const SFTP_PERMISSION_DENIED = 3;
const SFTP_EOF = 1;
/** What OpenSSH's sftp-server answers for EINVAL, e.g. a seek past the file system's largest offset. */
const SFTP_BAD_MESSAGE = 5;

/** Reads kept in flight per download, and their size: 32 x 64 KiB = 2 MiB buffered at most. */
export const DOWNLOAD_READS_IN_FLIGHT = 32;
export const DOWNLOAD_CHUNK_BYTES = 64 * 1024;

type SftpError = Error & { code?: number };

export function sftpError(error: unknown, target: string): AppError {
  const code = (error as SftpError).code;
  if (code === SFTP_NO_SUCH_FILE) return new AppError('not_found', `No such file or directory: ${target}`);
  if (code === SFTP_PERMISSION_DENIED) return new AppError('forbidden', `Permission denied: ${target}`);
  if (error instanceof AppError) return error;
  return new AppError('upstream_failed', `SFTP failed on ${target}: ${(error as Error).message}`);
}

const call = <T>(fn: (cb: (error: Error | null | undefined, value: T) => void) => void, target: string): Promise<T> =>
  new Promise((resolve, reject) => fn((error, value) => (error ? reject(sftpError(error, target)) : resolve(value))));

export interface OpenedFile {
  sftp: SFTPWrapper;
  handle: Buffer;
  path: string;
  stats: Stats;
}

/** Read up to `length` bytes at `position`, going on after short reads; fewer bytes only at end of file. */
export async function readAt(sftp: SFTPWrapper, handle: Buffer, position: number, length: number, target: string): Promise<Buffer> {
  const buffer = Buffer.allocUnsafe(length);
  let filled = 0;
  while (filled < length) {
    const got = await new Promise<number>((resolve, reject) => {
      sftp.read(handle, buffer, filled, length - filled, position + filled, (error, bytesRead) => {
        if (error && (error as SftpError).code === SFTP_EOF) resolve(0);
        else if (error && (error as SftpError).code === SFTP_BAD_MESSAGE) reject(new AppError('invalid', `offset: ${position + filled} is past what the file system of ${target} can seek to`));
        else if (error) reject(sftpError(error, target));
        else resolve(bytesRead);
      });
    });
    if (got === 0) break;
    filled += got;
  }
  return filled === length ? buffer : buffer.subarray(0, filled);
}

export class SftpFiles implements FileSystemTarget {
  constructor(private readonly session: SshSession) {}

  list(requested: string): Promise<DirectoryListing> {
    return this.session.withSftp(async (sftp) => {
      const absolute = await call<string>((cb) => sftp.realpath(requested, cb), requested);
      const items = await call<Array<{ filename: string; attrs: Stats }>>((cb) => sftp.readdir(absolute, cb), absolute);
      const entries = items
        .filter((item) => item.filename !== '.' && item.filename !== '..')
        .map((item) => ({
          name: item.filename,
          size: item.attrs.size,
          mode: modeString(item.attrs.mode),
          mtime: item.attrs.mtime,
          type: fileTypeOf(item.attrs.mode),
        }))
        .sort((a, b) => Number(b.type === 'dir') - Number(a.type === 'dir') || a.name.localeCompare(b.name));
      return { path: absolute, entries };
    });
  }

  read(requested: string, offset: number, length: number): Promise<FileChunk> {
    return this.session.withSftp(async (sftp) => {
      const file = await openFile(sftp, requested);
      try {
        const size = file.stats.size;
        // Past the end of a file with a size there is nothing to read; asking would make the server seek
        // there, which file systems refuse beyond their limit (EINVAL, "Bad message" over SFTP).
        const data = size > 0 && offset >= size ? Buffer.alloc(0) : await readAt(sftp, file.handle, offset, length, file.path);
        const eof = data.length < length || (size > 0 && offset + data.length >= size);
        return { path: file.path, offset, data, size, eof };
      } finally {
        sftp.close(file.handle, () => undefined);
      }
    });
  }

  /** Open a file for streaming; its channel is held until close() (the download stream calls it when done). */
  async openDownload(requested: string): Promise<DownloadSource> {
    const lease = await this.session.openSftp();
    try {
      const file = await openFile(lease.channel, requested);
      let closed = false;
      return {
        path: file.path,
        size: file.stats.size,
        stream: (range) => new SftpReadStream(file, range),
        close: () => {
          if (closed) return;
          closed = true;
          try {
            lease.channel.close(file.handle, () => lease.close());
          } catch {
            // The channel is already gone (the session dropped): nothing left to close but the lease.
            lease.close();
          }
        },
      };
    } catch (error) {
      lease.close();
      throw error;
    }
  }
}

async function openFile(sftp: SFTPWrapper, requested: string): Promise<OpenedFile> {
  const absolute = await call<string>((cb) => sftp.realpath(requested, cb), requested);
  const stats = await call<Stats>((cb) => sftp.stat(absolute, cb), absolute);
  if (stats.isDirectory()) throw new AppError('invalid', `path: ${absolute} is a directory`);
  const handle = await call<Buffer>((cb) => sftp.open(absolute, 'r', cb), absolute);
  return { sftp, handle, path: absolute, stats };
}

export function downloadName(filePath: string): string {
  return path.basename(filePath) || 'download';
}

interface PendingRead {
  data: Buffer | null;
  error: Error | null;
}

/**
 * A readable stream over [start, end] of an open file that keeps up to `inFlight` reads outstanding and
 * pushes their results in order. With `end` unknown (files that report size 0), it reads one chunk at a
 * time until EOF.
 */
export class SftpReadStream extends Readable {
  private readonly pending: PendingRead[] = [];
  private nextPosition: number;
  private reachedEof = false;
  private wanted = false;
  private pushedBytes = 0;

  constructor(
    private readonly file: OpenedFile,
    private readonly range: { start: number; end: number | null },
    private readonly inFlight = DOWNLOAD_READS_IN_FLIGHT,
    private readonly chunkBytes = DOWNLOAD_CHUNK_BYTES,
  ) {
    super({ highWaterMark: chunkBytes * 4 });
    this.nextPosition = range.start;
  }

  override _read(): void {
    this.wanted = true;
    this.pump();
  }

  private pump(): void {
    if (this.destroyed) return;
    while (this.wanted && this.pending.length && (this.pending[0]!.data || this.pending[0]!.error)) {
      const slot = this.pending.shift()!;
      if (slot.error) {
        this.destroy(slot.error);
        return;
      }
      if (slot.data!.length) {
        this.pushedBytes += slot.data!.length;
        this.wanted = this.push(slot.data);
      }
    }
    const { end } = this.range;
    const allIssued = this.reachedEof || (end !== null && this.nextPosition > end);
    if (allIssued && this.pending.length === 0) {
      if (end !== null && this.pushedBytes < end - this.range.start + 1) {
        // The file shrank while we read it: fail rather than send fewer bytes than Content-Length said.
        this.destroy(new AppError('upstream_failed', `${this.file.path} shrank during the download`));
        return;
      }
      this.push(null);
      return;
    }
    if (this.wanted) this.issueReads();
  }

  private issueReads(): void {
    const { end } = this.range;
    // Files that report size 0 (/proc and friends) are read one chunk at a time until EOF.
    const limit = end === null ? 1 : this.inFlight;
    while (this.pending.length < limit && !this.reachedEof && (end === null || this.nextPosition <= end)) {
      const length = end === null ? this.chunkBytes : Math.min(this.chunkBytes, end - this.nextPosition + 1);
      const slot: PendingRead = { data: null, error: null };
      this.pending.push(slot);
      const position = this.nextPosition;
      this.nextPosition += length;
      readAt(this.file.sftp, this.file.handle, position, length, this.file.path).then(
        (data) => {
          slot.data = data;
          if (data.length < length) this.reachedEof = true;
          this.pump();
        },
        (error: Error) => {
          slot.error = error;
          this.pump();
        },
      );
    }
  }
}
