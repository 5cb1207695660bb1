// A VPN login form the server sent (a one-time code, a group choice), answered from here: the server's name
// and message, a numeric keypad for codes, choices as buttons, and the time left before the login is dropped.
import { useState, type FormEvent } from 'react';
import type { VpnPrompt, VpnPromptField } from '../../../../bridge/contracts/vpn';
import { endpoints } from '../../../../bridge/contracts/endpoints';
import { ApiError } from '../../api/api-client';
import { useApp } from '../../app/app-context';
import { useAction } from '../../app/use-action';
import { useNow } from '../../app/use-now';
import { Banner, Button, Card, Field } from '../../ui/kit';

function countdown(ms: number): string {
  const seconds = Math.max(0, Math.ceil(ms / 1000));
  return `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, '0')}`;
}

function TypedField({ field, value, onChange }: { field: VpnPromptField; value: string; onChange: (value: string) => void }) {
  // A code is short-lived and typed from another screen: shown as typed, with the phone's numeric keypad.
  return field.one_time_code ? (
    <Field
      label="One-time code"
      inputMode="numeric"
      autoComplete="one-time-code"
      autoFocus
      required
      value={value}
      onChange={(e) => onChange(e.target.value.trim())}
    />
  ) : (
    <Field label={field.label} type={field.type === 'password' ? 'password' : 'text'} autoCapitalize="off" required value={value} onChange={(e) => onChange(e.target.value)} />
  );
}

export function VpnPromptCard({ prompt }: { prompt: VpnPrompt }) {
  const { api } = useApp();
  const now = useNow(1000);
  const [values, setValues] = useState(() => new Map<string, string>());
  const { busy, error, clearError, run } = useAction({ busyUntilGone: true });
  const typed = prompt.fields.filter((field) => field.type !== 'select');
  const send = (answers: Map<string, string>) =>
    run(async () => {
      const body = { prompt_id: prompt.prompt_id, answers: Object.fromEntries(answers) };
      try {
        await api.call(endpoints.vpn.answerPrompt, { body });
      } catch (error) {
        // The network dropped the answer (ApiError 0). While this question still waits, the bridge never got it:
        // send it again. Once it is gone, the answer did arrive (or the login ended): the live state says which.
        if (!(error instanceof ApiError) || error.status !== 0) throw error;
        if ((await api.call(endpoints.vpn.prompt)).prompt?.prompt_id !== prompt.prompt_id) return;
        await api.call(endpoints.vpn.answerPrompt, { body });
      }
    });
  const set = (field: VpnPromptField, value: string): Map<string, string> => {
    const next = new Map(values).set(field.name, value);
    setValues(next);
    return next;
  };
  // With nothing to type, the last choice sends the form.
  const choose = (field: VpnPromptField, value: string) => {
    const next = set(field, value);
    if (typed.length === 0 && prompt.fields.every((f) => next.has(f.name))) void send(next);
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    void send(values);
  };
  const left = Date.parse(prompt.expires_at) - now;
  return (
    <Card title={prompt.title} className="vpn-prompt">
      <p className="muted mono">{prompt.server}</p>
      {prompt.reconnect && <p className="muted">The tunnel dropped; the server wants this answered to reconnect.</p>}
      {prompt.message && <p className="vpn-prompt-message">{prompt.message}</p>}
      <form className="form" aria-label="Answer the VPN login" onSubmit={submit}>
        {prompt.fields.map((field) =>
          field.type === 'select' ? (
            <div key={field.name} className="vpn-choices" role="group" aria-label={field.label}>
              <span className="vpn-choices-label">{field.label}</span>
              {field.options.map((option) => (
                <Button
                  key={option.value}
                  variant={values.get(field.name) === option.value ? 'primary' : 'secondary'}
                  aria-pressed={values.get(field.name) === option.value}
                  disabled={busy}
                  onClick={() => choose(field, option.value)}
                >
                  {option.label}
                </Button>
              ))}
            </div>
          ) : (
            <TypedField key={field.name} field={field} value={values.get(field.name) ?? ''} onChange={(value) => set(field, value)} />
          ),
        )}
        {error && <Banner onDismiss={clearError}>{error}</Banner>}
        <div className="form-actions">
          {typed.length > 0 && (
            <Button type="submit" variant="primary" icon="shield" busy={busy}>
              Send
            </Button>
          )}
          <span className="muted vpn-countdown">{left > 0 ? `Expires in ${countdown(left)}` : 'Expired'}</span>
        </div>
      </form>
    </Card>
  );
}
