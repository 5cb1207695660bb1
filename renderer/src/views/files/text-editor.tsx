// Edit a remote text file in the browser: loaded whole with its ETag, saved with If-Match; when the file
// changed on the workstation meanwhile (409) the owner of the edit chooses: reload theirs or overwrite.
import { useCallback, useEffect, useId, useState } from 'react';
import { ApiError } from '../../api/api-client';
import { useApp } from '../../app/app-context';
import { useAction } from '../../app/use-action';
import { Dialog } from '../../ui/dialog';
import { Banner, Button, Loading } from '../../ui/kit';
import { errorText } from '../../ui/format';
import { endpoints } from '../../../../bridge/contracts/endpoints';

type Loaded = { text: string; etag: string };

function ConflictDialog({ name, busy, onCancel, onReload, onOverwrite }: { name: string; busy: boolean; onCancel(): void; onReload(): void; onOverwrite(): void }) {
  return (
    <Dialog title="Changed on the workstation" onClose={onCancel}>
      <p>{name} changed since you opened it. Reload it (your edits here are dropped), or overwrite it with your version.</p>
      <div className="modal-actions">
        <Button onClick={onReload}>Reload</Button>
        <Button variant="danger" busy={busy} onClick={onOverwrite}>
          Overwrite
        </Button>
      </div>
    </Dialog>
  );
}

/** The file as loaded (text and ETag), the text being edited, and saving with If-Match. */
function useTextFile(path: string, sessionId: string) {
  const { api } = useApp();
  const [loaded, setLoaded] = useState<Loaded | null>(null);
  const [text, setText] = useState('');
  const [loadError, setLoadError] = useState<string | null>(null);
  const saving = useAction();
  const [conflict, setConflict] = useState(false);
  const [saved, setSaved] = useState(false);

  const load = useCallback(() => {
    setLoadError(null);
    saving.clearError();
    setLoaded(null);
    api.call(endpoints.files.text, { query: { path, session_id: sessionId } }).then(
      (file) => {
        setLoaded({ text: file.text, etag: file.etag });
        setText(file.text);
      },
      (e: unknown) => setLoadError(errorText(e)),
    );
  }, [api, path, sessionId]);
  useEffect(load, [load]);

  const save = (ifMatch: string): Promise<void> => {
    setSaved(false);
    return saving.run(async () => {
      try {
        const stat = await api.call(endpoints.files.writeText, { body: { path, text, session_id: sessionId } }, { headers: { 'If-Match': ifMatch } });
        setLoaded({ text, etag: stat.etag });
        setConflict(false);
        setSaved(true);
      } catch (e) {
        // Not an error to show: the conflict dialog asks what to do.
        if (e instanceof ApiError && e.status === 409) setConflict(true);
        else throw e;
      }
    });
  };

  return { loaded, text, setText, error: loadError ?? saving.error, busy: saving.busy, conflict, setConflict, saved, load, save };
}

export function TextEditor({ path, sessionId, onClose }: { path: string; sessionId: string; onClose(): void }) {
  const areaId = useId();
  const { loaded, text, setText, error, busy, conflict, setConflict, saved, load, save } = useTextFile(path, sessionId);
  const name = path.split('/').pop() ?? path;
  const dirty = loaded !== null && text !== loaded.text;
  return (
    <section className="preview card editor" aria-label={`Editing ${name}`}>
      <header className="preview-header">
        <div className="preview-title">
          <strong className="ellipsis" title={path}>
            {name}
          </strong>
          <span className="muted">{dirty ? 'Unsaved changes' : saved ? 'Saved' : 'No changes'}</span>
        </div>
        <div className="preview-actions">
          <Button onClick={onClose}>Close</Button>
          <Button variant="primary" busy={busy} disabled={!loaded || !dirty} onClick={() => loaded && void save(loaded.etag)}>
            Save
          </Button>
        </div>
      </header>
      {error && <Banner title="Cannot edit this file">{error}</Banner>}
      {!loaded && !error && <Loading label="Opening…" />}
      {loaded && (
        <>
          <label htmlFor={areaId} className="sr-only">
            Text of {name}
          </label>
          <textarea id={areaId} className="editor-text" value={text} spellCheck={false} onChange={(e) => setText(e.target.value)} />
        </>
      )}
      {conflict && (
        <ConflictDialog
          name={name}
          busy={busy}
          onCancel={() => setConflict(false)}
          onReload={() => {
            setConflict(false);
            load();
          }}
          onOverwrite={() => void save('*')}
        />
      )}
    </section>
  );
}
