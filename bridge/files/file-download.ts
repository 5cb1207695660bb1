// A download as HTTP needs it, decided away from express: status, headers (length, disposition, range)
// and a body stream that reads the file (over SFTP or in the container) and closes what it holds when it ends.
import type { Readable } from 'node:stream';
import { AppError } from '../core/errors.js';
import { parseRange } from './http-range.js';
import type { DownloadSource } from '../core/file-system.js';
import { downloadName } from './sftp-files.js';

export interface DownloadPlan {
  status: 200 | 206;
  headers: Record<string, string>;
  /** The file's bytes; destroying it (client went away) closes the file and frees the channel. */
  body: Readable;
}

/** attachment; with an ASCII fallback name and the exact name in RFC 5987 form. */
export function contentDisposition(name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]|["\\]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`;
}

export function planDownload(source: DownloadSource, rangeHeader: string | undefined): DownloadPlan {
  const { size } = source;
  const headers: Record<string, string> = {
    'Content-Type': 'application/octet-stream',
    'Content-Disposition': contentDisposition(downloadName(source.path)),
  };
  // Files that report size 0 (/proc and friends) have no length to range over: streamed whole, chunked.
  if (size === 0) {
    return { status: 200, headers, body: closingWith(source.stream({ start: 0, end: null }), source.close) };
  }
  headers['Accept-Ranges'] = 'bytes';
  const range = parseRange(rangeHeader, size);
  if (range.kind === 'unsatisfiable') {
    source.close();
    throw new AppError('range_not_satisfiable', `Range not satisfiable: ${source.path} has ${size} bytes`, { extra: { size } });
  }
  const [start, end] = range.kind === 'partial' ? [range.start, range.end] : [0, size - 1];
  headers['Content-Length'] = String(end - start + 1);
  if (range.kind === 'partial') headers['Content-Range'] = `bytes ${start}-${end}/${size}`;
  const body = closingWith(source.stream({ start, end }), source.close);
  return { status: range.kind === 'partial' ? 206 : 200, headers, body };
}

function closingWith(stream: Readable, close: () => void): Readable {
  stream.once('close', close);
  return stream;
}
