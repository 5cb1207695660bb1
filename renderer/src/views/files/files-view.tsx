// Files: browse a session's file system with breadcrumbs, sizes and dates; preview and download files.
import { useEffect, useState } from 'react';
import type { FileEntry, FsListResponse } from '../../../../bridge/contracts/files';
import { useApp } from '../../app/app-context';
import { href, navigate, useLocation } from '../../app/router';
import { NoSession, SessionPicker, useSelectedSession } from '../../app/session-picker';
import { Icon, type IconName } from '../../ui/icons';
import { Banner, Button, Empty, Loading, PageHeader } from '../../ui/kit';
import { errorText, formatBytes, formatDate } from '../../ui/format';
import { FilePreview } from './file-preview';
import './files.css';

const joinPath = (dir: string, name: string): string => (dir.endsWith('/') ? dir + name : `${dir}/${name}`);

const ICONS: Record<FileEntry['type'], IconName> = { dir: 'folder', file: 'file', link: 'link', other: 'file' };

function Breadcrumbs({ path, go }: { path: string; go(path: string): void }) {
  const parts = path.split('/').filter(Boolean);
  return (
    <nav className="breadcrumbs" aria-label="Folder">
      <button type="button" onClick={() => go('/')}>
        /
      </button>
      {parts.map((part, i) => {
        const target = '/' + parts.slice(0, i + 1).join('/');
        const last = i === parts.length - 1;
        return (
          <span key={target} className="crumb">
            <Icon name="chevron" size={14} />
            {last ? (
              <span aria-current="page">{part}</span>
            ) : (
              <button type="button" onClick={() => go(target)}>
                {part}
              </button>
            )}
          </span>
        );
      })}
    </nav>
  );
}

function sortEntries(entries: FileEntry[], showHidden: boolean): FileEntry[] {
  return entries
    .filter((e) => showHidden || !e.name.startsWith('.'))
    .sort((a, b) => Number(b.type === 'dir') - Number(a.type === 'dir') || a.name.localeCompare(b.name));
}

export function FilesView() {
  const { api } = useApp();
  const { query } = useLocation();
  const { sessions, selected, loading } = useSelectedSession();
  const requestedPath = query.get('path') ?? '.';
  const open = query.get('open');
  const [listing, setListing] = useState<FsListResponse | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [showHidden, setShowHidden] = useState(false);
  const [reload, setReload] = useState(0);
  const sessionId = selected?.session_id;

  useEffect(() => {
    if (!sessionId) return;
    let cancelled = false;
    setError(null);
    setListing(null);
    api.get<FsListResponse>('/api/fs/list', { path: requestedPath, session_id: sessionId }).then(
      (result) => !cancelled && setListing(result),
      (e: unknown) => !cancelled && setError(errorText(e)),
    );
    return () => {
      cancelled = true;
    };
  }, [api, sessionId, requestedPath, reload]);

  if (loading) return <Loading />;
  const go = (path: string, openName?: string): void => navigate(href('/files', { session: sessionId, path, open: openName }));
  const entries = listing ? sortEntries(listing.entries, showHidden) : [];
  const opened = listing && open ? listing.entries.find((e) => e.name === open) : undefined;

  return (
    <div className="page">
      <PageHeader title="Files" subtitle="Browse, preview and download over SFTP" actions={<SessionPicker sessions={sessions} selected={selected} path="/files" />} />
      {!selected ? (
        <NoSession what="Files" missing={query.get('session')} />
      ) : (
        <div className={`files-layout${opened ? ' has-preview' : ''}`}>
          <section className="card files-list">
            <header className="files-toolbar">
              {listing ? <Breadcrumbs path={listing.path} go={(p) => go(p)} /> : <span className="muted">{requestedPath}</span>}
              <div className="files-tools">
                <label className="check small">
                  <input type="checkbox" checked={showHidden} onChange={(e) => setShowHidden(e.target.checked)} />
                  <span>Hidden</span>
                </label>
                <Button variant="ghost" icon="refresh" aria-label="Refresh" onClick={() => setReload((n) => n + 1)} />
              </div>
            </header>
            {error && <Banner title="Cannot open this folder">{error}</Banner>}
            {!listing && !error && <Loading label="Listing…" />}
            {listing && entries.length === 0 && <Empty icon="folder" title="This folder is empty" />}
            {listing && entries.length > 0 && (
              <ul className="file-list" aria-label="Files">
                {listing.path !== '/' && (
                  <li>
                    <button type="button" className="file-row" onClick={() => go(listing.path.replace(/\/[^/]+\/?$/, '') || '/')}>
                      <Icon name="back" className="file-icon" />
                      <span className="file-name">..</span>
                      <span className="file-size" />
                      <span className="file-date" />
                    </button>
                  </li>
                )}
                {entries.map((entry) => (
                  <li key={entry.name}>
                    <button
                      type="button"
                      className={`file-row${entry.name === open ? ' selected' : ''}`}
                      data-type={entry.type}
                      onClick={() => (entry.type === 'dir' ? go(joinPath(listing.path, entry.name)) : go(listing.path, entry.name))}
                    >
                      <Icon name={ICONS[entry.type]} className={`file-icon type-${entry.type}`} />
                      <span className="file-name">{entry.name}</span>
                      <span className="file-size">{entry.type === 'dir' ? '' : formatBytes(entry.size)}</span>
                      <span className="file-date">{formatDate(entry.mtime)}</span>
                    </button>
                  </li>
                ))}
              </ul>
            )}
          </section>
          {opened && listing && (
            <FilePreview key={joinPath(listing.path, opened.name)} path={joinPath(listing.path, opened.name)} entry={opened} sessionId={selected.session_id} onClose={() => go(listing.path)} />
          )}
        </div>
      )}
    </div>
  );
}
