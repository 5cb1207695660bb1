// The file system vocabulary shared by both sides (SFTP and the VPN container): listings, reads, downloads, changes.
import type { Readable } from 'node:stream';

export type FileType = 'file' | 'dir' | 'link' | 'other';

export interface FileEntry {
  name: string;
  size: number;
  /** ls-style permissions, e.g. drwxr-xr-x */
  mode: string;
  /** seconds since the epoch */
  mtime: number;
  type: FileType;
}

export interface DirectoryListing {
  path: string;
  entries: FileEntry[];
  /** Set when the directory had more entries than a listing keeps (FS_LIST_MAX_ENTRIES): these are some of them. */
  truncated?: boolean;
}

export interface FileChunk {
  path: string;
  offset: number;
  data: Buffer;
  /** The file's total size (0 for files that do not report one, such as /proc files). */
  size: number;
  eof: boolean;
}

/** A file opened for a download: its real path and size, and its bytes as a stream. */
export interface DownloadSource {
  path: string;
  /** 0 for files that report no size (/proc and friends): those are streamed whole. */
  size: number;
  /** The bytes of [start, end] (end null: up to end of file). Destroying the stream stops the reading. */
  stream(range: { start: number; end: number | null }): Readable;
  /** Free what the open holds (file handle, channel); safe to call twice. */
  close(): void;
}

/** A file system the bridge can list, read and download from for a user: an SSH session's SFTP or a container. */
export interface FileSystemTarget {
  list(path: string): Promise<DirectoryListing>;
  read(path: string, offset: number, length: number): Promise<FileChunk>;
  openDownload(path: string): Promise<DownloadSource>;
}

const S_IFMT = 0o170000;
const TYPE_BITS: Array<[number, FileType, string]> = [
  [0o040000, 'dir', 'd'],
  [0o100000, 'file', '-'],
  [0o120000, 'link', 'l'],
];

export function fileTypeOf(mode: number): FileType {
  return TYPE_BITS.find(([bits]) => (mode & S_IFMT) === bits)?.[1] ?? 'other';
}

/** Numeric st_mode -> "drwxr-xr-x" (setuid/setgid/sticky included, as ls shows them). */
export function modeString(mode: number): string {
  const fmt = mode & S_IFMT;
  const typeChar =
    TYPE_BITS.find(([bits]) => fmt === bits)?.[2] ??
    ({ 0o020000: 'c', 0o060000: 'b', 0o010000: 'p', 0o140000: 's' } as Record<number, string>)[fmt] ??
    '?';
  const rwx = (bits: number, special: boolean, specialChar: string): string => {
    const x = bits & 1;
    const execChar = special ? (x ? specialChar : specialChar.toUpperCase()) : x ? 'x' : '-';
    return (bits & 4 ? 'r' : '-') + (bits & 2 ? 'w' : '-') + execChar;
  };
  return (
    typeChar +
    rwx((mode >> 6) & 7, (mode & 0o4000) !== 0, 's') +
    rwx((mode >> 3) & 7, (mode & 0o2000) !== 0, 's') +
    rwx(mode & 7, (mode & 0o1000) !== 0, 't')
  );
}

/** What a stat says about one path (links are not followed). */
export interface PathStat {
  path: string;
  size: number;
  mtime: number;
  type: FileType;
}

/**
 * The operations that change a user's files, on either side. Paths the caller gives are relative to the
 * home (SFTP) or the working directory (container). Missing: not_found; denied: forbidden; exists: conflict.
 */
export interface FileChanges {
  /** null when nothing is there. */
  stat(path: string): Promise<PathStat | null>;
  mkdir(path: string): Promise<PathStat>;
  /** Fails with conflict when `to` exists (never replaces). */
  rename(from: string, to: string): Promise<PathStat>;
  /** A folder only with recursive (else conflict); a link is removed, not followed. */
  remove(path: string, recursive: boolean): Promise<string>;
  /** Write `body` into `path` from `offset` on (creating it at offset 0); resolves with the bytes now on disk in order. */
  writeAt(path: string, offset: number, body: Readable): Promise<number>;
  /** Move a finished temporary file into place: atomically replacing `to` when `replace`, else conflict if it exists. */
  commit(temp: string, to: string, replace: boolean): Promise<PathStat>;
}

/** The ETag of a file version: its size and modification time (what SFTP v3 gives, to the second). */
export const etagOf = (stat: { size: number; mtime: number }): string => `"${stat.size}-${stat.mtime}"`;
