// HTTP adapter for files: list, read a window, and the streaming Range download.
import { pipeline } from 'node:stream/promises';
import { FsDownloadQuery, FsListQuery, FsListResponse, FsReadQuery, FsReadResponse } from '../contracts/files.js';
import { defineRoute, STREAMED, type AnyRoute } from '../transport/route.js';
import type { FilesService } from './files.service.js';
import { parseRange } from './http-range.js';
import { downloadName, SftpReadStream } from './sftp-files.js';

export function filesRoutes(files: FilesService): AnyRoute[] {
  return [
    defineRoute({
      method: 'get',
      path: '/api/fs/list',
      tag: 'files',
      summary: 'List a directory',
      query: FsListQuery,
      response: FsListResponse,
      errors: [403, 404, 502],
      handler: ({ query, userId }) => files.list(userId(query.user_id), query.path, query.session_id),
    }),
    defineRoute({
      method: 'get',
      path: '/api/fs/read',
      tag: 'files',
      summary: 'Read a window of a file (utf8 or base64)',
      query: FsReadQuery,
      response: FsReadResponse,
      errors: [403, 404, 502],
      handler: async ({ query, userId }) => {
        const chunk = await files.read(userId(query.user_id), query.path, query.offset, query.length, query.session_id);
        return {
          path: chunk.path,
          offset: chunk.offset,
          data: chunk.data.toString(query.encoding),
          encoding: query.encoding,
          size: chunk.size,
          eof: chunk.eof,
        };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/fs/download',
      tag: 'files',
      summary: 'Download a whole file (streamed, with HTTP Range for resuming)',
      query: FsDownloadQuery,
      produces: 'application/octet-stream',
      errors: [403, 404, 416, 502],
      handler: async ({ query, userId, req, res }) => {
        const download = await files.sftp(userId(query.user_id), query.session_id).openDownload(query.path);
        const { file } = download;
        const size = file.stats.size;
        const name = downloadName(file.path);
        res.setHeader('Content-Type', 'application/octet-stream');
        res.setHeader('Content-Disposition', `attachment; filename="${name.replace(/[^\x20-\x7e]|["\\]/g, '_')}"; filename*=UTF-8''${encodeURIComponent(name)}`);
        let range: { start: number; end: number | null } = { start: 0, end: size > 0 ? size - 1 : null };
        if (size > 0) {
          res.setHeader('Accept-Ranges', 'bytes');
          const requested = parseRange(req.get('range'), size);
          if (requested.kind === 'unsatisfiable') {
            download.close();
            res.status(416).setHeader('Content-Range', `bytes */${size}`);
            res.json({ detail: `Range not satisfiable: the file has ${size} bytes` });
            return STREAMED;
          }
          if (requested.kind === 'partial') {
            range = { start: requested.start, end: requested.end };
            res.status(206).setHeader('Content-Range', `bytes ${requested.start}-${requested.end}/${size}`);
          }
          res.setHeader('Content-Length', String(range.end! - range.start + 1));
        }
        const stream = new SftpReadStream(file, range);
        try {
          await pipeline(stream, res);
        } catch {
          // The client went away or the read failed mid-stream: headers are out, so the connection is cut.
          res.destroy();
        } finally {
          download.close();
        }
        return STREAMED;
      },
    }),
  ];
}
