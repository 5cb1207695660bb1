// Files: browse a session's file system with breadcrumbs, sizes and dates; preview, download, edit and
// upload files (drop them on the list or pick them), make folders, rename and delete.
import { useCallback, useEffect, useId, useRef, useState, type DragEvent } from 'react';
import type { FileEntry, FsListResponse } from '../../../../bridge/contracts/files';
import { endpoints } from '../../../../bridge/contracts/endpoints';
import { useApp } from '../../app/app-context';
import { href, navigate, useLocation } from '../../app/router';
import { NoSession, SessionPicker, useSelectedSession } from '../../app/session-picker';
import { Icon, type IconName } from '../../ui/icons';
import { Banner, Button, Empty, Loading, PageHeader } from '../../ui/kit';
import { errorText, formatBytes, formatDate } from '../../ui/format';
import { FileDialog, type FileDialogRequest } from './file-dialogs';
import { FilePreview } from './file-preview';
import { TextEditor } from './text-editor';
import { UploadList } from './upload-list';
import { useUploads } from './use-uploads';
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

function FileRow({ entry, selected, onOpen, onDialog }: { entry: FileEntry; selected: boolean; onOpen(): void; onDialog(request: FileDialogRequest): void }) {
  // The actions are named "Rename"/"Delete" and described by the entry's name, so a search for the
  // entry by name finds its row alone.
  const nameId = useId();
  return (
    <li className="file-item">
      <button type="button" className={`file-row${selected ? ' selected' : ''}`} data-type={entry.type} onClick={onOpen}>
        <Icon name={ICONS[entry.type]} className={`file-icon type-${entry.type}`} />
        <span className="file-name" id={nameId}>
          {entry.name}
        </span>
        <span className="file-size">{entry.type === 'dir' ? '' : formatBytes(entry.size)}</span>
        <span className="file-date">{formatDate(entry.mtime)}</span>
      </button>
      <span className="row-actions">
        <button type="button" className="icon-btn" aria-label="Rename" aria-describedby={nameId} onClick={() => onDialog({ kind: 'rename', entry })}>
          <Icon name="edit" size={16} />
        </button>
        <button type="button" className="icon-btn" aria-label="Delete" aria-describedby={nameId} onClick={() => onDialog({ kind: 'delete', entry })}>
          <Icon name="trash" size={16} />
        </button>
      </span>
    </li>
  );
}

function UploadButton({ onFiles }: { onFiles(files: File[]): void }) {
  const input = useRef<HTMLInputElement>(null);
  return (
    <>
      <input
        ref={input}
        type="file"
        multiple
        hidden
        onChange={(e) => {
          onFiles([...(e.target.files ?? [])]);
          e.target.value = '';
        }}
      />
      <Button variant="ghost" icon="upload" onClick={() => input.current?.click()}>
        Upload
      </Button>
    </>
  );
}

function useListing(sessionId: string | undefined, path: string): { listing: FsListResponse | null; error: string | null; refresh(): void } {
  const { api } = useApp();
  const [listing, setListing] = useState<FsListResponse | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [reload, setReload] = useState(0);
  // A refresh keeps the old listing on screen until the new one arrives; another folder starts blank.
  const shown = useRef('');
  useEffect(() => {
    if (!sessionId) return;
    let cancelled = false;
    setError(null);
    const key = `${sessionId}\0${path}`;
    if (shown.current !== key) setListing(null);
    shown.current = key;
    api.call(endpoints.files.list, { query: { path, session_id: sessionId } }).then(
      (result) => !cancelled && setListing(result),
      (e: unknown) => !cancelled && setError(errorText(e)),
    );
    return () => {
      cancelled = true;
    };
  }, [api, sessionId, path, reload]);
  return { listing, error, refresh: useCallback(() => setReload((n) => n + 1), []) };
}

interface FolderPaneProps {
  listing: FsListResponse | null;
  error: string | null;
  requestedPath: string;
  open: string | null;
  uploads: ReturnType<typeof useUploads>;
  go(path: string, openName?: string): void;
  refresh(): void;
  onDialog(request: FileDialogRequest): void;
}

/** The folder's entries with their actions, the toolbar (upload, new folder), the uploads, and the drop target. */
function FolderPane({ listing, error, requestedPath, open, uploads, go, refresh, onDialog }: FolderPaneProps) {
  const [showHidden, setShowHidden] = useState(false);
  const [dropping, setDropping] = useState(false);
  const entries = listing ? sortEntries(listing.entries, showHidden) : [];
  const onDrop = (e: DragEvent): void => {
    e.preventDefault();
    setDropping(false);
    if (listing && e.dataTransfer.files.length) uploads.upload([...e.dataTransfer.files], listing.path);
  };
  return (
    <section
      className={`card files-list${dropping ? ' dropping' : ''}`}
      aria-label="Folder contents"
      onDragOver={(e) => {
        e.preventDefault();
        setDropping(true);
      }}
      onDragLeave={() => setDropping(false)}
      onDrop={onDrop}
    >
      <header className="files-toolbar">
        {listing ? <Breadcrumbs path={listing.path} go={(p) => go(p)} /> : <span className="muted">{requestedPath}</span>}
        <div className="files-tools">
          {listing && <UploadButton onFiles={(files) => uploads.upload(files, listing.path)} />}
          <Button variant="ghost" icon="plus" onClick={() => onDialog({ kind: 'mkdir' })} disabled={!listing}>
            Folder
          </Button>
          <label className="check small">
            <input type="checkbox" checked={showHidden} onChange={(e) => setShowHidden(e.target.checked)} />
            <span>Hidden</span>
          </label>
          <Button variant="ghost" icon="refresh" aria-label="Refresh" onClick={refresh} />
        </div>
      </header>
      <UploadList items={uploads.items} dismiss={uploads.dismiss} />
      {error && <Banner title="Cannot open this folder">{error}</Banner>}
      {!listing && !error && <Loading label="Listing…" />}
      {listing && entries.length === 0 && (
        <Empty icon="folder" title="This folder is empty">
          Drop files here or use Upload.
        </Empty>
      )}
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
            <FileRow
              key={entry.name}
              entry={entry}
              selected={entry.name === open}
              onDialog={onDialog}
              onOpen={() => (entry.type === 'dir' ? go(joinPath(listing.path, entry.name)) : go(listing.path, entry.name))}
            />
          ))}
        </ul>
      )}
    </section>
  );
}

export function FilesView() {
  const { api } = useApp();
  const { query } = useLocation();
  const { sessions, selected, loading } = useSelectedSession();
  const requestedPath = query.get('path') ?? '.';
  const open = query.get('open');
  const editing = query.get('edit') === '1';
  const sessionId = selected?.session_id;
  const { listing, error, refresh } = useListing(sessionId, requestedPath);
  const [dialog, setDialog] = useState<FileDialogRequest | null>(null);
  const uploads = useUploads(api, sessionId, refresh);

  if (loading) return <Loading />;
  const go = (path: string, openName?: string, edit?: boolean): void => navigate(href('/files', { session: sessionId, path, open: openName, edit: edit ? '1' : undefined }));
  const opened = listing && open ? listing.entries.find((e) => e.name === open) : undefined;
  const openedPath = listing && opened ? joinPath(listing.path, opened.name) : null;

  return (
    <div className="page">
      <PageHeader title="Files" subtitle="Browse, preview, edit, upload and download over SFTP" actions={<SessionPicker sessions={sessions} selected={selected} path="/files" />} />
      {!selected ? (
        <NoSession what="Files" missing={query.get('session')} />
      ) : (
        <div className={`files-layout${opened ? ' has-preview' : ''}`}>
          <FolderPane listing={listing} error={error} requestedPath={requestedPath} open={open} uploads={uploads} go={go} refresh={refresh} onDialog={setDialog} />
          {opened && listing && openedPath && editing && (
            <TextEditor key={openedPath} path={openedPath} sessionId={selected.session_id} onClose={() => (refresh(), go(listing.path, opened.name))} />
          )}
          {opened && listing && openedPath && !editing && (
            <FilePreview
              key={`${openedPath}@${opened.mtime}`}
              path={openedPath}
              entry={opened}
              sessionId={selected.session_id}
              onClose={() => go(listing.path)}
              onEdit={() => go(listing.path, opened.name, true)}
            />
          )}
        </div>
      )}
      {dialog && listing && selected && <FileDialog request={dialog} folder={listing.path} sessionId={selected.session_id} onClose={() => setDialog(null)} onChanged={refresh} />}
    </div>
  );
}
