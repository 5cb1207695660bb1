// Which SSH session a view works on: the `session` query parameter, else the first active session.
import type { SshSessionListing } from '../../../bridge/contracts/ssh';
import { useApp } from './app-context';
import { href, navigate, useLocation } from './router';

export function useSelectedSession(): { sessions: SshSessionListing[]; selected: SshSessionListing | null; loading: boolean } {
  const { state } = useApp();
  const { query } = useLocation();
  const sessions = (state?.ssh.sessions ?? []).filter((s) => s.active);
  const wanted = query.get('session');
  const selected = sessions.find((s) => s.session_id === wanted) ?? (wanted ? null : (sessions[0] ?? null));
  return { sessions, selected, loading: state === null };
}

export function SessionPicker({ sessions, selected, path }: { sessions: SshSessionListing[]; selected: SshSessionListing | null; path: string }) {
  if (sessions.length === 0) return null;
  return (
    <label className="picker">
      <span>Session</span>
      <select value={selected?.session_id ?? ''} onChange={(e) => navigate(href(path, { session: e.target.value }))}>
        {!selected && <option value="">Choose…</option>}
        {sessions.map((s) => (
          <option key={s.session_id} value={s.session_id}>
            {s.session_id} — {s.username}@{s.hostname}
          </option>
        ))}
      </select>
    </label>
  );
}

/** What a session-bound view shows when the user has no active session (or asked for a gone one). */
export function NoSession({ what, missing }: { what: string; missing?: string | null }) {
  return (
    <div className="card">
      <div className="empty">
        <strong>{missing ? `Session “${missing}” is not active` : 'No active session'}</strong>
        <div className="empty-body">
          {what} run over one of your SSH sessions.{' '}
          <a
            href="/sessions"
            onClick={(e) => {
              e.preventDefault();
              navigate('/sessions');
            }}
          >
            Connect a session
          </a>{' '}
          first.
        </div>
      </div>
    </div>
  );
}
