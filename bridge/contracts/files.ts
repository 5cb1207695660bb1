// Wire shapes of the file routes.
import { z } from 'zod';
import { SessionId, UserId } from './common.js';

const RemotePath = z.string().min(1).max(4096).refine((p) => !p.includes('\0'), 'must not contain NUL');

export const FsListQuery = z.object({
  user_id: UserId.optional(),
  path: RemotePath.default('.'),
  session_id: SessionId.optional(),
});

export const FileEntry = z
  .object({
    name: z.string(),
    size: z.number(),
    mode: z.string().meta({ description: 'ls-style, e.g. drwxr-xr-x' }),
    mtime: z.number().meta({ description: 'Seconds since the epoch' }),
    type: z.enum(['file', 'dir', 'link', 'other']),
  })
  .meta({ id: 'FileEntry' });

export const FsListResponse = z
  .object({
    path: z.string().meta({ description: 'Absolute path' }),
    entries: z.array(FileEntry),
    truncated: z.boolean().optional().meta({ description: 'Present (true) when the directory has more entries than FS_LIST_MAX_ENTRIES: only some are listed' }),
  })
  .meta({ id: 'DirectoryListing' });

/** SFTP's read length is a uint32. */
const SFTP_MAX_LENGTH = 0xffff_ffff;

export const FsReadQuery = z
  .object({
    user_id: UserId.optional(),
    path: RemotePath,
    offset: z.coerce.number().int().min(0).max(Number.MAX_SAFE_INTEGER).default(0),
    length: z.coerce.number().int().min(0).max(SFTP_MAX_LENGTH).default(65536),
    encoding: z.enum(['utf8', 'base64']).default('utf8'),
    session_id: SessionId.optional(),
  })
  // Every byte read must have an exact position: SFTP offsets are 64-bit, but JavaScript numbers are exact only to 2^53 - 1.
  .refine((q) => q.offset + q.length <= Number.MAX_SAFE_INTEGER, { message: 'offset + length must be at most 2^53 - 1', path: ['offset'] });

export const FsReadResponse = z
  .object({
    path: z.string(),
    offset: z.number(),
    data: z.string(),
    encoding: z.enum(['utf8', 'base64']),
    size: z.number().meta({ description: "The file's total size" }),
    eof: z.boolean(),
  })
  .meta({ id: 'FileChunk' });

export const FsDownloadQuery = z.object({
  user_id: UserId.optional(),
  path: RemotePath,
  session_id: SessionId.optional(),
});

export type FileEntry = z.infer<typeof FileEntry>;
export type FsListResponse = z.infer<typeof FsListResponse>;
export type FsReadResponse = z.infer<typeof FsReadResponse>;
