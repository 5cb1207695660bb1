// Modal dialogs (a bottom sheet on phones): the frame, a confirmation and a one-field prompt.
import { useEffect, useId, useState, type FormEvent, type ReactNode } from 'react';
import { useAction } from '../app/use-action';
import { Icon } from './icons';
import { Banner, Button } from './kit';

export function Dialog({ title, onClose, children }: { title: string; onClose(): void; children: ReactNode }) {
  const titleId = useId();
  useEffect(() => {
    const onKey = (e: KeyboardEvent): void => {
      if (e.key === 'Escape') onClose();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [onClose]);
  return (
    <div className="modal-backdrop" onClick={onClose}>
      <div className="modal" role="dialog" aria-modal="true" aria-labelledby={titleId} onClick={(e) => e.stopPropagation()}>
        <header className="modal-header">
          <h2 id={titleId}>{title}</h2>
          <button type="button" className="icon-btn" aria-label="Close" onClick={onClose}>
            <Icon name="close" size={18} />
          </button>
        </header>
        {children}
      </div>
    </div>
  );
}

/** Runs `action` on confirm; its error stays in the dialog, success closes it (busy until it is gone). */
function useDialogAction(action: () => Promise<void>, onClose: () => void): { busy: boolean; error: string | null; run(): void } {
  const { busy, error, run } = useAction({ busyUntilGone: true });
  return {
    busy,
    error,
    run: () =>
      void run(async () => {
        await action();
        onClose();
      }),
  };
}

export function ConfirmDialog(props: { title: string; confirm: string; danger?: boolean; children: ReactNode; onConfirm(): Promise<void>; onClose(): void }) {
  const { busy, error, run } = useDialogAction(props.onConfirm, props.onClose);
  return (
    <Dialog title={props.title} onClose={props.onClose}>
      <div>{props.children}</div>
      {error && <Banner>{error}</Banner>}
      <div className="modal-actions">
        <Button onClick={props.onClose}>Cancel</Button>
        <Button variant={props.danger ? 'danger' : 'primary'} busy={busy} onClick={run}>
          {props.confirm}
        </Button>
      </div>
    </Dialog>
  );
}

export function PromptDialog(props: { title: string; label: string; initial: string; confirm: string; onSubmit(value: string): Promise<void>; onClose(): void }) {
  const [value, setValue] = useState(props.initial);
  const inputId = useId();
  const { busy, error, run } = useDialogAction(() => props.onSubmit(value.trim()), props.onClose);
  const submit = (e: FormEvent): void => {
    e.preventDefault();
    if (value.trim()) run();
  };
  return (
    <Dialog title={props.title} onClose={props.onClose}>
      <form className="modal-form" onSubmit={submit}>
        <div className="field">
          <label htmlFor={inputId}>{props.label}</label>
          <input id={inputId} value={value} autoFocus autoCapitalize="off" spellCheck={false} onChange={(e) => setValue(e.target.value)} />
        </div>
        {error && <Banner>{error}</Banner>}
        <div className="modal-actions">
          <Button onClick={props.onClose}>Cancel</Button>
          <Button type="submit" variant="primary" busy={busy} disabled={!value.trim()}>
            {props.confirm}
          </Button>
        </div>
      </form>
    </Dialog>
  );
}
