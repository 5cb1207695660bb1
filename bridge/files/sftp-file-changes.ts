// Changing files over an SSH session's SFTP: mkdir, rename, recursive delete, and uploads written with
// many writes in flight (as OpenSSH's own sftp does), so throughput does not hang on the round trip.
import path from 'node:path/posix';
import type { Readable } from 'node:stream';
import type { SFTPWrapper, Stats } from 'ssh2';
import { AppError } from '../core/errors.js';
import type { SshSession } from '../ssh/ssh-session.js';
import { fileTypeOf, type FileChanges, type PathStat } from '../core/file-system.js';
import { sftpError } from './sftp-files.js';

/** Writes kept in flight per upload, and their size: 32 x 64 KiB = 2 MiB outstanding at most. */
export const UPLOAD_WRITES_IN_FLIGHT = 32;
export const UPLOAD_CHUNK_BYTES = 64 * 1024;

const call = <T>(fn: (cb: (error: Error | null | undefined, value: T) => void) => void, target: string): Promise<T> =>
  new Promise((resolve, reject) => fn((error, value) => (error ? reject(sftpError(error, target)) : resolve(value))));

const done = (fn: (cb: (error: Error | null | undefined) => void) => void, target: string): Promise<void> =>
  call<void>((cb) => fn((error) => cb(error, undefined)), target);

async function lstatOrNull(sftp: SFTPWrapper, target: string): Promise<Stats | null> {
  try {
    return await call<Stats>((cb) => sftp.lstat(target, cb), target);
  } catch (error) {
    if (error instanceof AppError && error.kind === 'not_found') return null;
    throw error;
  }
}

/** The absolute form of a path that may not exist yet: its parent resolved by the server. */
async function absolute(sftp: SFTPWrapper, target: string): Promise<string> {
  const parent = await call<string>((cb) => sftp.realpath(path.dirname(target), cb), target);
  return path.join(parent, path.basename(target));
}

async function statOf(sftp: SFTPWrapper, target: string): Promise<PathStat> {
  const full = await absolute(sftp, target);
  const stats = await call<Stats>((cb) => sftp.lstat(full, cb), target);
  return { path: full, size: stats.size, mtime: stats.mtime, type: fileTypeOf(stats.mode) };
}

const exists = (target: string): AppError => new AppError('conflict', `Already exists: ${target}`);

async function removeTree(sftp: SFTPWrapper, target: string): Promise<void> {
  const items = await call<Array<{ filename: string; attrs: Stats }>>((cb) => sftp.readdir(target, cb), target);
  for (const item of items) {
    if (item.filename === '.' || item.filename === '..') continue;
    const child = path.join(target, item.filename);
    if (item.attrs.isDirectory()) await removeTree(sftp, child);
    else await done((cb) => sftp.unlink(child, cb), child);
  }
  await done((cb) => sftp.rmdir(target, cb), target);
}

export class SftpFileChanges implements FileChanges {
  constructor(private readonly session: SshSession) {}

  stat(target: string): Promise<PathStat | null> {
    return this.session.withSftp(async (sftp) => ((await lstatOrNull(sftp, target)) ? statOf(sftp, target) : null));
  }

  mkdir(target: string): Promise<PathStat> {
    return this.session.withSftp(async (sftp) => {
      if (await lstatOrNull(sftp, target)) throw exists(target);
      await done((cb) => sftp.mkdir(target, cb), target);
      return statOf(sftp, target);
    });
  }

  rename(from: string, to: string): Promise<PathStat> {
    return this.session.withSftp(async (sftp) => {
      if (!(await lstatOrNull(sftp, from))) throw new AppError('not_found', `No such file or directory: ${from}`);
      if (await lstatOrNull(sftp, to)) throw exists(to);
      await done((cb) => sftp.rename(from, to, cb), from);
      return statOf(sftp, to);
    });
  }

  remove(target: string, recursive: boolean): Promise<string> {
    return this.session.withSftp(async (sftp) => {
      const stats = await lstatOrNull(sftp, target);
      if (!stats) throw new AppError('not_found', `No such file or directory: ${target}`);
      const full = await absolute(sftp, target);
      if (!stats.isDirectory()) {
        await done((cb) => sftp.unlink(full, cb), target);
      } else if (!recursive) {
        throw new AppError('conflict', `${target} is a folder: delete it with recursive: true`);
      } else {
        await removeTree(sftp, full);
      }
      return full;
    });
  }

  async writeAt(target: string, offset: number, body: Readable): Promise<number> {
    const lease = await this.session.openSftp();
    try {
      const sftp = lease.channel;
      // Offset 0 starts the file afresh; a resumed upload writes on after what is there.
      const handle = await call<Buffer>((cb) => sftp.open(target, offset === 0 ? 'w' : 'r+', cb), target);
      try {
        return await pipelinedWrite(sftp, handle, target, offset, body);
      } finally {
        await done((cb) => sftp.close(handle, cb), target).catch(() => undefined);
      }
    } finally {
      lease.close();
    }
  }

  commit(temp: string, to: string, replace: boolean): Promise<PathStat> {
    return this.session.withSftp(async (sftp) => {
      const current = await lstatOrNull(sftp, to);
      if (current && !replace) throw exists(to);
      if (current?.isDirectory()) throw new AppError('conflict', `${to} is a folder`);
      // Keep the permissions of the file we replace (a script stays executable after an edit).
      if (current) await done((cb) => sftp.setstat(temp, { mode: current.mode & 0o7777 }, cb), temp);
      if (current) await done((cb) => sftp.ext_openssh_rename(temp, to, cb), to);
      else await done((cb) => sftp.rename(temp, to, cb), to);
      return statOf(sftp, to);
    });
  }
}

/**
 * Copy `body` into the open file at `start` with up to UPLOAD_WRITES_IN_FLIGHT writes outstanding.
 * Resolves with the end of the bytes written without a gap, also when the body is cut off mid-way (the
 * writes already sent still land), so a resumed upload goes on from there. Rejects only when SFTP fails.
 */
export function pipelinedWrite(sftp: SFTPWrapper, handle: Buffer, target: string, start: number, body: Readable): Promise<number> {
  return new Promise((resolve, reject) => {
    let position = start;
    let committed = start;
    const finished: Array<[number, number]> = [];
    let inFlight = 0;
    let ended = false;
    let failure: AppError | null = null;
    const settle = (): void => {
      if (!ended || inFlight > 0) return;
      if (failure) reject(failure);
      else resolve(committed);
    };
    const onWritten = (from: number, to: number, error: Error | null | undefined): void => {
      inFlight -= 1;
      if (error) failure ??= sftpError(error, target);
      else finished.push([from, to]);
      finished.sort((a, b) => a[0] - b[0]);
      while (finished.length && finished[0]![0] === committed) committed = finished.shift()![1];
      if (failure) body.destroy();
      else if (inFlight < UPLOAD_WRITES_IN_FLIGHT) body.resume();
      settle();
    };
    body.on('data', (chunk: Buffer) => {
      for (let at = 0; at < chunk.length; at += UPLOAD_CHUNK_BYTES) {
        const piece = chunk.subarray(at, at + UPLOAD_CHUNK_BYTES);
        const from = position;
        position += piece.length;
        inFlight += 1;
        try {
          sftp.write(handle, piece, 0, piece.length, from, (error) => onWritten(from, from + piece.length, error));
        } catch (error) {
          // The channel closed under us (the session dropped).
          onWritten(from, from + piece.length, error as Error);
        }
      }
      if (inFlight >= UPLOAD_WRITES_IN_FLIGHT) body.pause();
    });
    const onEnd = (): void => {
      ended = true;
      settle();
    };
    body.once('end', onEnd);
    // A cut connection (the request aborted) ends the body with an error or just a close: both end it here.
    body.once('error', onEnd);
    body.once('close', onEnd);
  });
}
