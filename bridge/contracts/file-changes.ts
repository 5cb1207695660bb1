// Wire shapes of the routes that change files: mkdir, rename, delete, text edit (ETag) and tus uploads.
import { z } from 'zod';
import { QueryBool, SessionId, UserId } from './common.js';

const RemotePath = z.string().min(1).max(4096).refine((p) => !p.includes('\0'), 'must not contain NUL');

/** Where the change happens: the named SSH session, else the user's VPN container, else the default session. */
const Target = { user_id: UserId.optional(), session_id: SessionId.optional() };

export const FsMkdirBody = z.object({ ...Target, path: RemotePath });
export const FsRenameBody = z.object({ ...Target, from: RemotePath, to: RemotePath });
export const FsDeleteBody = z.object({
  ...Target,
  path: RemotePath,
  recursive: z.boolean().default(false).meta({ description: 'Required (true) to delete a folder and everything in it' }),
});
export const FsPathQuery = z.object({ ...Target, path: RemotePath });

export const FileStat = z
  .object({
    path: z.string().meta({ description: 'Absolute path' }),
    size: z.number(),
    mtime: z.number().meta({ description: 'Seconds since the epoch' }),
    type: z.enum(['file', 'dir', 'link', 'other']),
    etag: z.string().meta({ description: 'Size and modification time; send it back as If-Match to save only over this version' }),
  })
  .meta({ id: 'FileStat' });

export const FsTextResponse = z
  .object({ path: z.string(), text: z.string(), size: z.number(), etag: z.string() })
  .meta({ id: 'TextFile' });

export const FsTextBody = z.object({
  ...Target,
  path: RemotePath,
  text: z.string().max(16 * 1024 * 1024),
});

export const FsDeleted = z.object({ path: z.string(), deleted: z.literal(true) }).meta({ id: 'Deleted' });

/** tus creation: the destination and what to do when it exists (the length comes in Upload-Length). */
export const FsUploadCreateQuery = z.object({
  ...Target,
  path: RemotePath,
  overwrite: QueryBool.default(false),
});
export const FsUploadIdParams = z.object({ id: z.string().regex(/^[A-Za-z0-9-]{1,64}$/, 'an upload id') });

export type FileStat = z.infer<typeof FileStat>;
export type FsTextResponse = z.infer<typeof FsTextResponse>;
