// HTTP adapter for resumable uploads, speaking tus 1.0 (core + creation + termination) so stock tus
// clients work: POST creates, HEAD tells the offset, PATCH appends (application/offset+octet-stream), DELETE cancels.
import type { Response } from 'express';
import { z } from 'zod';
import { endpointUrl } from '../contracts/endpoint.js';
import { filesEndpoints } from '../contracts/files.endpoints.js';
import { AppError } from '../core/errors.js';
import { defineRoute, STREAMED, type AnyRoute } from '../transport/route.js';
import type { FileUploadsService, UploadProgress } from './file-uploads.service.js';

const TUS_VERSION = '1.0.0';
const OFFSET_CONTENT_TYPE = 'application/offset+octet-stream';
const ByteCount = z.string().regex(/^\d{1,15}$/, 'a whole number of bytes').transform(Number);

function header(value: string | undefined, name: string): number {
  const parsed = ByteCount.safeParse(value);
  if (!parsed.success) throw new AppError('invalid', `${name}: ${value === undefined ? 'Required' : 'a whole number of bytes'}`);
  return parsed.data;
}

function checkVersion(value: string | undefined): void {
  if (value !== undefined && value !== TUS_VERSION) throw new AppError('invalid', `Tus-Resumable: only ${TUS_VERSION} is supported`);
}

function answer(res: Response, status: number, progress: UploadProgress): typeof STREAMED {
  res.status(status).set({ 'Tus-Resumable': TUS_VERSION, 'Upload-Offset': String(progress.offset), 'Cache-Control': 'no-store' });
  if (progress.completed) res.set('X-Upload-Path', encodeURIComponent(progress.completed.path));
  res.end();
  return STREAMED;
}

export function fileUploadsRoutes(uploads: FileUploadsService): AnyRoute[] {
  const tag = 'files';
  return [
    defineRoute(filesEndpoints.createUpload, {
      tag,
      summary: 'Start a resumable upload (tus creation): Upload-Length header, destination in `path`',
      description: 'Answers 201 with Location (the upload URL). Bytes go to a hidden temporary name beside `path` and are renamed into place when complete. 409 when `path` exists and `overwrite` is not set.',
      errors: [403, 404, 409, 429, 502],
      handler: async ({ query, userId, req, res }) => {
        const user = userId(query.user_id);
        checkVersion(req.get('tus-resumable'));
        const length = header(req.get('upload-length'), 'Upload-Length');
        const progress = await uploads.create({ userId: user, sessionId: query.session_id, path: query.path, length, replace: query.overwrite });
        res.set({ Location: endpointUrl(filesEndpoints.uploadProgress, { params: { id: progress.id } }), 'Upload-Length': String(length) });
        return answer(res, 201, progress);
      },
    }),
    defineRoute(filesEndpoints.uploadProgress, {
      tag,
      summary: 'How much of an upload has landed (Upload-Offset), to resume from there',
      errors: [403, 404],
      handler: async ({ params, userId, res }) => {
        const progress = await uploads.progress(params.id, userId);
        res.set('Upload-Length', String(progress.length));
        return answer(res, 200, progress);
      },
    }),
    defineRoute(filesEndpoints.appendUpload, {
      tag,
      summary: 'Append bytes at Upload-Offset (body: application/offset+octet-stream), written with pipelined SFTP writes',
      description: '204 with the new Upload-Offset; 409 when Upload-Offset is not where the upload stands. A cut-off PATCH keeps what arrived.',
      errors: [403, 404, 409, 502],
      handler: async ({ params, userId, req, res }) => {
        uploads.check(params.id, userId);
        checkVersion(req.get('tus-resumable'));
        if (req.get('content-type')?.split(';')[0]?.trim().toLowerCase() !== OFFSET_CONTENT_TYPE) {
          throw new AppError('invalid', `Content-Type: must be ${OFFSET_CONTENT_TYPE}`);
        }
        const offset = header(req.get('upload-offset'), 'Upload-Offset');
        return answer(res, 204, await uploads.append(params.id, userId, offset, req));
      },
    }),
    defineRoute(filesEndpoints.cancelUpload, {
      tag,
      summary: 'Cancel an upload and remove its temporary file (tus termination)',
      errors: [403, 404],
      handler: async ({ params, userId, res }) => {
        await uploads.cancel(params.id, userId);
        res.status(204).set('Tus-Resumable', TUS_VERSION).end();
        return STREAMED;
      },
    }),
  ];
}
