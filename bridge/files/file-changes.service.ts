// Changing a user's files on the same side that reads them (SSH session or VPN container): stat, mkdir,
// rename, delete, and whole-text edits guarded by an ETag, written to a temporary name and renamed in place.
import crypto from 'node:crypto';
import path from 'node:path/posix';
import { Readable } from 'node:stream';
import { AppError } from '../core/errors.js';
import type { FileStat, FsTextResponse } from '../contracts/file-changes.js';
import { etagOf, type FileChanges, type PathStat } from '../core/file-system.js';
import type { FilesService } from './files.service.js';

/** The hidden name a file is written under until it is complete (same folder, so the rename is atomic). */
export function temporaryName(target: string, id: string = crypto.randomUUID()): string {
  return path.join(path.dirname(target), `.${path.basename(target)}.vigilink-${id}.part`);
}

const withEtag = (stat: PathStat): FileStat => ({ ...stat, etag: etagOf(stat) });

export interface TextSave {
  userId: string;
  sessionId: string | undefined;
  path: string;
  text: string;
  /** The If-Match header: an ETag, '*' (any version), or undefined (create only). */
  ifMatch: string | undefined;
}

export class FileChangesService {
  constructor(
    private readonly files: FilesService,
    private readonly textMaxBytes: number,
  ) {}

  private async changes(userId: string, sessionId: string | undefined): Promise<FileChanges> {
    return (await this.files.side(userId, sessionId)).changes;
  }

  async stat(userId: string, target: string, sessionId?: string): Promise<FileStat> {
    const stat = await (await this.changes(userId, sessionId)).stat(target);
    if (!stat) throw new AppError('not_found', `No such file or directory: ${target}`);
    return withEtag(stat);
  }

  async mkdir(userId: string, target: string, sessionId?: string): Promise<FileStat> {
    return withEtag(await (await this.changes(userId, sessionId)).mkdir(target));
  }

  async rename(userId: string, from: string, to: string, sessionId?: string): Promise<FileStat> {
    return withEtag(await (await this.changes(userId, sessionId)).rename(from, to));
  }

  async remove(userId: string, target: string, recursive: boolean, sessionId?: string): Promise<{ path: string; deleted: true }> {
    return { path: await (await this.changes(userId, sessionId)).remove(target, recursive), deleted: true };
  }

  async readText(userId: string, target: string, sessionId?: string): Promise<FsTextResponse> {
    const side = await this.files.side(userId, sessionId);
    const stat = await side.changes.stat(target);
    if (!stat) throw new AppError('not_found', `No such file or directory: ${target}`);
    if (stat.type === 'dir') throw new AppError('invalid', `path: ${target} is a folder`);
    if (stat.size > this.textMaxBytes) throw new AppError('too_large', `${target} has ${stat.size} bytes; the editor opens files up to ${this.textMaxBytes} bytes`);
    const chunk = await side.files.read(target, 0, stat.size);
    return { path: chunk.path, text: chunk.data.toString('utf8'), size: chunk.data.length, etag: etagOf(stat) };
  }

  /** Save a whole text: 409 (with the current ETag) when the file changed since `ifMatch`, or exists and no ETag came. */
  async writeText(save: TextSave): Promise<FileStat> {
    const changes = await this.changes(save.userId, save.sessionId);
    const current = await changes.stat(save.path);
    const currentEtag = current ? etagOf(current) : null;
    if (current?.type === 'dir') throw new AppError('conflict', `${save.path} is a folder`);
    if (save.ifMatch === undefined && current) {
      throw new AppError('conflict', `${save.path} exists: send its ETag in If-Match (or * to overwrite)`, { extra: { etag: currentEtag } });
    }
    if (save.ifMatch !== undefined && save.ifMatch !== '*' && save.ifMatch !== currentEtag) {
      throw new AppError('conflict', `${save.path} changed since it was read`, { extra: { etag: currentEtag } });
    }
    const temp = temporaryName(save.path);
    try {
      await changes.writeAt(temp, 0, Readable.from([Buffer.from(save.text, 'utf8')]));
      return withEtag(await changes.commit(temp, save.path, current !== null));
    } catch (error) {
      await changes.remove(temp, false).catch(() => undefined);
      throw error;
    }
  }
}
