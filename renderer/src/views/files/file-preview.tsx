// Preview of one remote file: text (first 64 KiB, with Edit) or image, and its download with a progress bar.
import { useEffect, useRef, useState } from 'react';
import type { FileEntry } from '../../../../bridge/contracts/files';
import { endpoints } from '../../../../bridge/contracts/endpoints';
import { useApp } from '../../app/app-context';
import { Icon } from '../../ui/icons';
import { Banner, Button, Loading, ProgressBar } from '../../ui/kit';
import { errorText, formatBytes, formatDate } from '../../ui/format';
import { downloadFile, type DownloadProgress } from './fetch-download';

const TEXT_PREVIEW_BYTES = 64 * 1024;
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

export function FilePreview({ path, entry, sessionId, onClose, onEdit }: { path: string; entry: FileEntry; sessionId: string; onClose(): void; onEdit(): void }) {
  const { api, platform } = useApp();
  const [preview, setPreview] = useState<Preview>({ kind: 'loading' });
  const [progress, setProgress] = useState<DownloadProgress | null>(null);
  const [downloadError, setDownloadError] = useState<string | null>(null);
  const [saved, setSaved] = useState(false);
  const abort = useRef<AbortController | null>(null);

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

  useEffect(() => () => abort.current?.abort(), []);

  const download = async (): Promise<void> => {
    setDownloadError(null);
    setSaved(false);
    abort.current = new AbortController();
    setProgress({ received: 0, total: entry.size || null });
    try {
      const blob = await downloadFile(api, api.url(endpoints.files.download, { query: { path, session_id: sessionId } }), setProgress, abort.current.signal);
      await platform.saveFile(entry.name, blob);
      setSaved(true);
    } catch (error) {
      if (!abort.current.signal.aborted) setDownloadError(errorText(error));
    } finally {
      setProgress(null);
    }
  };

  return (
    <section className="preview card" aria-label={`Preview of ${entry.name}`}>
      <button type="button" className="preview-back" onClick={onClose}>
        <Icon name="back" size={18} />
        <span>{path.replace(/\/[^/]*$/, '').split('/').pop() || '/'}</span>
      </button>
      <header className="preview-header">
        <div className="preview-title">
          <strong className="ellipsis" title={entry.name}>
            {entry.name}
          </strong>
          <span className="muted">
            {formatBytes(entry.size)} · {formatDate(entry.mtime)} · <span className="mono">{entry.mode}</span>
          </span>
        </div>
        <button type="button" className="icon-btn" aria-label="Close preview" onClick={onClose}>
          <Icon name="close" size={18} />
        </button>
      </header>
      <div className="preview-actions">
        {progress ? (
          <div className="download-progress">
            <ProgressBar label={`Downloading ${entry.name}`} value={progress.received} max={progress.total} />
            <span className="muted">
              {formatBytes(progress.received)}
              {progress.total ? ` of ${formatBytes(progress.total)}` : ''}
            </span>
            <Button variant="ghost" onClick={() => abort.current?.abort()}>
              Cancel
            </Button>
          </div>
        ) : (
          <Button variant="primary" icon="download" onClick={() => void download()}>
            Download
          </Button>
        )}
        {preview.kind === 'text' && !progress && (
          <Button icon="edit" onClick={onEdit}>
            Edit
          </Button>
        )}
        {saved && <span className="muted">Saved to your downloads.</span>}
      </div>
      {downloadError && (
        <Banner title="Download failed" onDismiss={() => setDownloadError(null)}>
          {downloadError}
        </Banner>
      )}
      <div className="preview-body">
        {preview.kind === 'loading' && <Loading label="Reading the file…" />}
        {preview.kind === 'error' && <Banner title="Cannot preview">{preview.detail}</Banner>}
        {preview.kind === 'none' && <p className="muted preview-none">{preview.why}</p>}
        {preview.kind === 'image' && <img className="preview-image" src={preview.url} alt={entry.name} />}
        {preview.kind === 'text' && (
          <>
            {/* Focusable so a keyboard can scroll a long file. */}
            <pre className="preview-text" data-testid="preview-text" tabIndex={0} aria-label={`Contents of ${entry.name}`}>
              {preview.text}
            </pre>
            {preview.truncated && <p className="muted">Showing the first {formatBytes(TEXT_PREVIEW_BYTES)}. Download the file for the rest.</p>}
          </>
        )}
      </div>
    </section>
  );
}
