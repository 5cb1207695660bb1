// The uploads under way (and just finished or failed), each with its progress bar.
import { Icon } from '../../ui/icons';
import { ProgressBar } from '../../ui/kit';
import { formatBytes } from '../../ui/format';
import type { UploadItem } from './use-uploads';

export function UploadList({ items, dismiss }: { items: UploadItem[]; dismiss(id: number): void }) {
  if (items.length === 0) return null;
  return (
    <ul className="upload-list" aria-label="Uploads">
      {items.map((item) => (
        <li key={item.id} className={`upload-item upload-${item.status}`}>
          <div className="upload-line">
            <span className="ellipsis">{item.name}</span>
            <span className="muted">
              {item.status === 'done' ? 'Uploaded' : item.status === 'failed' ? 'Failed' : `${formatBytes(item.sent)} of ${formatBytes(item.total)}`}
            </span>
            <button type="button" className="icon-btn" aria-label={item.status === 'uploading' ? `Cancel upload of ${item.name}` : `Dismiss ${item.name}`} onClick={() => dismiss(item.id)}>
              <Icon name="close" size={16} />
            </button>
          </div>
          {item.status === 'uploading' && <ProgressBar label={`Uploading ${item.name}`} value={item.sent} max={item.total || null} />}
          {item.error && (
            <p className="upload-error" role="alert">
              {item.error}
            </p>
          )}
        </li>
      ))}
    </ul>
  );
}
