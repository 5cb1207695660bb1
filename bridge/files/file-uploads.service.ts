// Resumable uploads with tus 1.0 semantics (creation, offset, termination): each upload is written to a
// hidden temporary name beside its destination and renamed into place once its last byte has landed.
// A PATCH cut off mid-way keeps what arrived; HEAD then says where to go on from.
import crypto from 'node:crypto';
import { Transform, type Readable } from 'node:stream';
import { AppError } from '../core/errors.js';
import type { FileStat } from '../contracts/file-changes.js';
import { etagOf } from '../core/file-system.js';
import { temporaryName } from './file-changes.service.js';
import type { FilesService } from './files.service.js';

/** Uploads a user may have under way, and how long an untouched one is kept before its temp file goes. */
export const MAX_UPLOADS_PER_USER = 32;
export const UPLOAD_EXPIRY_MS = 24 * 60 * 60 * 1000;

interface Upload {
  id: string;
  userId: string;
  sessionId: string | undefined;
  path: string;
  temp: string;
  length: number;
  offset: number;
  replace: boolean;
  touchedAt: number;
  /** The PATCH being written, if any: HEAD and the next PATCH wait for it so offsets never race. */
  busy: Promise<unknown> | null;
}

export interface UploadCreate {
  userId: string;
  sessionId: string | undefined;
  path: string;
  length: number;
  replace: boolean;
}

export interface UploadProgress {
  id: string;
  offset: number;
  length: number;
  /** The file once complete (renamed into place). */
  completed: FileStat | null;
}

export class FileUploadsService {
  private readonly uploads = new Map<string, Upload>();

  constructor(
    private readonly files: FilesService,
    private readonly now: () => number = Date.now,
  ) {}

  async create(request: UploadCreate): Promise<UploadProgress> {
    await this.expire();
    const mine = [...this.uploads.values()].filter((u) => u.userId === request.userId).length;
    if (mine >= MAX_UPLOADS_PER_USER) throw new AppError('rate_limited', `At most ${MAX_UPLOADS_PER_USER} uploads under way per user: finish or cancel one`, { retryAfterSeconds: 60 });
    const { changes } = await this.files.side(request.userId, request.sessionId);
    const existing = await changes.stat(request.path);
    if (existing && (!request.replace || existing.type === 'dir')) throw new AppError('conflict', `Already exists: ${request.path}`);
    const id = crypto.randomUUID();
    const upload: Upload = { ...request, id, temp: temporaryName(request.path, id), offset: 0, touchedAt: this.now(), busy: null };
    // Creating the empty temp file now reports a missing or closed folder before any byte is sent.
    await changes.writeAt(upload.temp, 0, emptyBody());
    this.uploads.set(id, upload);
    if (request.length === 0) return this.finish(upload);
    return { id, offset: 0, length: upload.length, completed: null };
  }

  /** Whether the caller may touch this upload (404 unknown, 403 another user's), before its request is read. */
  check(id: string, resolveUser: (owner: string) => string): void {
    this.get(id, resolveUser);
  }

  /** The upload as the caller may see it: the owner any, a device only its own user's. */
  private get(id: string, resolveUser: (owner: string) => string): Upload {
    const upload = this.uploads.get(id);
    if (!upload) throw new AppError('not_found', `No upload ${id} (finished, cancelled or expired)`);
    resolveUser(upload.userId);
    return upload;
  }

  async progress(id: string, resolveUser: (owner: string) => string): Promise<UploadProgress> {
    const upload = this.get(id, resolveUser);
    await upload.busy?.catch(() => undefined);
    return { id, offset: upload.offset, length: upload.length, completed: null };
  }

  async append(id: string, resolveUser: (owner: string) => string, offset: number, body: Readable): Promise<UploadProgress> {
    const upload = this.get(id, resolveUser);
    await upload.busy?.catch(() => undefined);
    if (!this.uploads.has(id)) throw new AppError('not_found', `No upload ${id} (finished, cancelled or expired)`);
    if (offset !== upload.offset) throw new AppError('conflict', `Upload-Offset ${offset} does not match the upload's offset ${upload.offset}`, { extra: { offset: upload.offset } });
    const work = (async () => {
      const { changes } = await this.files.side(upload.userId, upload.sessionId);
      upload.offset = await changes.writeAt(upload.temp, offset, body.pipe(capAt(upload.length - offset, body)));
      upload.touchedAt = this.now();
    })();
    upload.busy = work;
    try {
      await work;
    } finally {
      if (upload.busy === work) upload.busy = null;
    }
    return upload.offset >= upload.length ? this.finish(upload) : { id, offset: upload.offset, length: upload.length, completed: null };
  }

  async cancel(id: string, resolveUser: (owner: string) => string): Promise<void> {
    const upload = this.get(id, resolveUser);
    await upload.busy?.catch(() => undefined);
    this.uploads.delete(id);
    await this.discard(upload);
  }

  private async finish(upload: Upload): Promise<UploadProgress> {
    const { changes } = await this.files.side(upload.userId, upload.sessionId);
    try {
      const stat = await changes.commit(upload.temp, upload.path, upload.replace);
      this.uploads.delete(upload.id);
      return { id: upload.id, offset: upload.offset, length: upload.length, completed: { ...stat, etag: etagOf(stat) } };
    } catch (error) {
      // Nothing half-written reaches the destination; the bytes are of no use without it.
      this.uploads.delete(upload.id);
      await this.discard(upload);
      throw error;
    }
  }

  private async discard(upload: Upload): Promise<void> {
    await this.files
      .side(upload.userId, upload.sessionId)
      .then(({ changes }) => changes.remove(upload.temp, false))
      .catch(() => undefined);
  }

  private async expire(): Promise<void> {
    const cutoff = this.now() - UPLOAD_EXPIRY_MS;
    for (const upload of [...this.uploads.values()]) {
      if (upload.touchedAt >= cutoff || upload.busy) continue;
      this.uploads.delete(upload.id);
      await this.discard(upload);
    }
  }
}

function emptyBody(): Readable {
  return new Transform({ transform: (_chunk, _encoding, callback) => callback() }).end();
}

/** Pass at most `limit` bytes on: an upload never grows past its declared length. */
function capAt(limit: number, source: Readable): Transform {
  let left = limit;
  const cap = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      const piece = chunk.subarray(0, Math.max(0, left));
      left -= piece.length;
      callback(null, piece.length ? piece : undefined);
    },
  });
  // A cut-off request ends the capped stream too, so the writer stops and reports what landed.
  const stop = (): void => {
    if (!cap.writableEnded) cap.end();
  };
  source.once('error', stop);
  source.once('close', stop);
  return cap;
}
