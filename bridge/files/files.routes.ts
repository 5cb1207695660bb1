// HTTP adapter for files: list, read a window, and the streaming Range download.
import { pipeline } from 'node:stream/promises';
import { filesEndpoints } from '../contracts/files.endpoints.js';
import { defineRoute, STREAMED, type AnyRoute } from '../transport/route.js';
import type { FilesService } from './files.service.js';
import { stallGuard } from './stall-guard.js';

/** `stallMs`: a download that moves no byte for this long is ended (DOWNLOAD_STALL_SECONDS). */
export function filesRoutes(files: FilesService, stallMs: number): AnyRoute[] {
  return [
    defineRoute(filesEndpoints.list, {
      tag: 'files',
      summary: 'List a directory',
      errors: [403, 404, 502],
      handler: ({ query, userId }) => files.list(userId(query.user_id), query.path, query.session_id),
    }),
    defineRoute(filesEndpoints.read, {
      tag: 'files',
      summary: 'Read a window of a file (utf8 or base64)',
      description: '`size` is the whole file\'s size (0 for files that do not report one, such as /proc files). `length` is at most FS_READ_MAX_BYTES.',
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
    defineRoute(filesEndpoints.download, {
      tag: 'files',
      summary: 'Download a whole file (streamed, with HTTP Range for resuming)',
      description: 'One `Range: bytes=` range is honoured (206); a range past the end is 416. Files that report size 0 are streamed whole.',
      errors: [403, 404, 416, 502],
      handler: async ({ query, userId, req, res }) => {
        const download = await files.download(userId(query.user_id), query.path, req.get('range'), query.session_id);
        res.status(download.status).set(download.headers);
        if (req.method === 'HEAD') {
          download.body.destroy();
          res.end();
          return STREAMED;
        }
        // pipeline honours backpressure and destroys the body (closing the file) if the client goes away;
        // the headers are out by then, so a failure mid-stream (a stall included) can only cut the connection.
        await pipeline(download.body, stallGuard(stallMs), res).catch(() => res.destroy());
        return STREAMED;
      },
    }),
  ];
}
