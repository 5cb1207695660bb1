// HTTP adapter for changing files: stat (with ETag), text read and save (If-Match), mkdir, rename, delete.
import { filesEndpoints } from '../contracts/files.endpoints.js';
import { defineRoute, type AnyRoute } from '../transport/route.js';
import type { FileChangesService } from './file-changes.service.js';

export function fileChangesRoutes(changes: FileChangesService): AnyRoute[] {
  return [
    defineRoute(filesEndpoints.stat, {
      tag: 'files',
      summary: 'Type, size, modification time and ETag of a path (links not followed)',
      errors: [403, 404, 502],
      handler: ({ query, userId }) => changes.stat(userId(query.user_id), query.path, query.session_id),
    }),
    defineRoute(filesEndpoints.text, {
      tag: 'files',
      summary: 'A whole text file for the editor, with its ETag',
      description: 'Files over FS_READ_MAX_BYTES are 413. The ETag (also in the ETag header) goes back as If-Match on save.',
      errors: [403, 404, 413, 502],
      handler: async ({ query, userId, res }) => {
        const text = await changes.readText(userId(query.user_id), query.path, query.session_id);
        res.set('ETag', text.etag);
        return text;
      },
    }),
    defineRoute(filesEndpoints.writeText, {
      tag: 'files',
      summary: 'Save a whole text file (written to a temporary name, then renamed into place)',
      description:
        'If-Match: the ETag read with the file (409 with the current `etag` when it changed since), `*` to overwrite whatever is there; without If-Match the file must not exist yet (409).',
      errors: [403, 404, 409, 502],
      handler: async ({ body, userId, req, res }) => {
        const saved = await changes.writeText({ userId: userId(body.user_id), sessionId: body.session_id, path: body.path, text: body.text, ifMatch: req.get('if-match') });
        res.set('ETag', saved.etag);
        return saved;
      },
    }),
    defineRoute(filesEndpoints.mkdir, {
      tag: 'files',
      summary: 'Make a folder (409 when the name exists)',
      errors: [403, 404, 409, 502],
      handler: ({ body, userId }) => changes.mkdir(userId(body.user_id), body.path, body.session_id),
    }),
    defineRoute(filesEndpoints.rename, {
      tag: 'files',
      summary: 'Rename or move a file or folder (never replaces: 409 when `to` exists)',
      errors: [403, 404, 409, 502],
      handler: ({ body, userId }) => changes.rename(userId(body.user_id), body.from, body.to, body.session_id),
    }),
    defineRoute(filesEndpoints.remove, {
      tag: 'files',
      summary: 'Delete a file or link; a folder only with recursive: true (else 409)',
      errors: [403, 404, 409, 502],
      handler: ({ body, userId }) => changes.remove(userId(body.user_id), body.path, body.recursive, body.session_id),
    }),
  ];
}
