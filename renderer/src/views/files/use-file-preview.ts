// What a remote file's preview shows (text, image or why not), read from the bridge when the file changes,
// and the file's download with progress, cancel and save.
import { useEffect, useRef, useState } from 'react';
import type { FileEntry } from '../../../../bridge/contracts/files';
import { useApp } from '../../app/app-context';
import { errorText, formatBytes } from '../../ui/format';
import { downloadFile, type DownloadProgress } from './fetch-download';
import { endpoints } from '../../../../bridge/contracts/endpoints';

export const TEXT_PREVIEW_BYTES = 64 * 1024;
const IMAGE_PREVIEW_BYTES = 4 * 1024 * 1024;
const IMAGE_TYPES: Record<string, string> = {
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  webp: 'image/webp',
  bmp: 'image/bmp',
  svg: 'image/svg+xml',
};

type Preview =
  | { kind: 'loading' }
  | { kind: 'text'; text: string; truncated: boolean }
  | { kind: 'image'; url: string }
  | { kind: 'none'; why: string }
  | { kind: 'error'; detail: string };

const extension = (name: string): string => name.slice(name.lastIndexOf('.') + 1).toLowerCase();

function base64ToBytes(data: string): Uint8Array {
  const binary = atob(data);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i += 1) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/** NUL bytes or many replacement characters: not text worth showing. */
const looksBinary = (text: string): boolean => text.includes('\0') || (text.match(/\uFFFD/g)?.length ?? 0) > text.length / 50 + 2;

export function useFilePreview(path: string, entry: FileEntry, sessionId: string): Preview {
  const { api } = useApp();
  const [preview, setPreview] = useState<Preview>({ kind: 'loading' });

  useEffect(() => {
    let cancelled = false;
    let objectUrl: string | null = null;
    setPreview({ kind: 'loading' });
    const mime = IMAGE_TYPES[extension(entry.name)];
    const load = async (): Promise<Preview> => {
      if (entry.type === 'dir') return { kind: 'none', why: 'This is a folder.' };
      if (mime) {
        if (entry.size > IMAGE_PREVIEW_BYTES) return { kind: 'none', why: `Images over ${formatBytes(IMAGE_PREVIEW_BYTES)} are not previewed. Download it instead.` };
        const chunk = await api.call(endpoints.files.read, { query: { path, session_id: sessionId, encoding: 'base64', length: Math.max(entry.size, 1) } });
        objectUrl = URL.createObjectURL(new Blob([base64ToBytes(chunk.data) as BlobPart], { type: mime }));
        return { kind: 'image', url: objectUrl };
      }
      const chunk = await api.call(endpoints.files.read, { query: { path, session_id: sessionId, length: TEXT_PREVIEW_BYTES } });
      if (looksBinary(chunk.data)) return { kind: 'none', why: 'This file is binary: there is nothing to show as text. Download it to open it.' };
      return { kind: 'text', text: chunk.data, truncated: !chunk.eof };
    };
    load().then(
      (result) => !cancelled && setPreview(result),
      (error: unknown) => !cancelled && setPreview({ kind: 'error', detail: errorText(error) }),
    );
    return () => {
      cancelled = true;
      if (objectUrl) URL.revokeObjectURL(objectUrl);
    };
  }, [api, path, sessionId, entry]);

  return preview;
}

export function useFileDownload(path: string, entry: FileEntry, sessionId: string) {
  const { api, platform } = useApp();
  const [progress, setProgress] = useState<DownloadProgress | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [saved, setSaved] = useState(false);
  const abort = useRef<AbortController | null>(null);

  useEffect(() => () => abort.current?.abort(), []);

  const download = async (): Promise<void> => {
    setError(null);
    setSaved(false);
    abort.current = new AbortController();
    setProgress({ received: 0, total: entry.size || null });
    try {
      const blob = await downloadFile(api, api.url(endpoints.files.download, { query: { path, session_id: sessionId } }), setProgress, abort.current.signal);
      await platform.saveFile(entry.name, blob);
      setSaved(true);
    } catch (error) {
      if (!abort.current.signal.aborted) setError(errorText(error));
    } finally {
      setProgress(null);
    }
  };

  return { progress, error, clearError: () => setError(null), saved, download, cancel: () => abort.current?.abort() };
}
