// Preview of one remote file: text (first 64 KiB, with Edit) or image, and its download with a progress bar.
import type { FileEntry } from '../../../../bridge/contracts/files';
import { Icon } from '../../ui/icons';
import { Banner, Button, Loading, ProgressBar } from '../../ui/kit';
import { formatBytes, formatDate } from '../../ui/format';
import { TEXT_PREVIEW_BYTES, useFileDownload, useFilePreview } from './use-file-preview';

export function FilePreview({ path, entry, sessionId, onClose, onEdit }: { path: string; entry: FileEntry; sessionId: string; onClose(): void; onEdit(): void }) {
  const preview = useFilePreview(path, entry, sessionId);
  const { progress, error: downloadError, clearError, saved, download, cancel } = useFileDownload(path, entry, sessionId);

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
            <Button variant="ghost" onClick={cancel}>
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
        <Banner title="Download failed" onDismiss={clearError}>
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
