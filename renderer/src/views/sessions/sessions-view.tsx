// Sessions: the user's SSH sessions as the bridge pushes them (active or dropped, host, since when),
// with disconnect, shortcuts into the terminal, files and GPUs, and the connect form.
import { useState } from 'react';
import type { SshSessionListing } from '../../../../bridge/contracts/ssh';
import { endpoints } from '../../../../bridge/contracts/endpoints';
import { useApp } from '../../app/app-context';
import { useAction } from '../../app/use-action';
import { href, navigate } from '../../app/router';
import { useNow } from '../../app/use-now';
import { Badge, Banner, Button, Card, Empty, Loading, PageHeader } from '../../ui/kit';
import { formatSince } from '../../ui/format';
import { ConnectForm, type ConnectPrefill } from './connect-form';
import './sessions.css';

function SessionRow({ session, onReconnect }: { session: SshSessionListing; onReconnect(prefill: ConnectPrefill): void }) {
  const { api } = useApp();
  const now = useNow(30_000);
  const { busy, error, clearError, run } = useAction({ busyUntilGone: true });
  const disconnect = () => run(() => api.call(endpoints.ssh.disconnect, { query: { session_id: session.session_id } }));
  const target = `${session.username}@${session.hostname}${session.port === 22 ? '' : `:${session.port}`}`;
  return (
    <li className="session-row" data-session={session.session_id}>
      <div className="session-main">
        <div className="session-title">
          <strong>{session.session_id}</strong>
          {session.active ? <Badge tone="ok">Active</Badge> : <Badge tone="bad">Dropped</Badge>}
        </div>
        <div className="session-target mono">{target}</div>
        <div className="session-meta">
          <span title={new Date(session.connected_at).toLocaleString()}>Since {formatSince(session.connected_at, now)}</span>
          {session.via_jump && <span>via {session.via_jump}</span>}
          {!session.active && session.reason && <span className="reason">{session.reason}</span>}
        </div>
        {error && <Banner onDismiss={clearError}>{error}</Banner>}
      </div>
      <div className="session-actions">
        {session.active ? (
          <>
            <Button icon="terminal" onClick={() => navigate(href('/terminal', { session: session.session_id }))}>
              Terminal
            </Button>
            <Button icon="folder" onClick={() => navigate(href('/files', { session: session.session_id }))}>
              Files
            </Button>
          </>
        ) : (
          <Button icon="refresh" onClick={() => onReconnect({ sessionId: session.session_id, hostname: session.hostname, port: session.port, username: session.username })}>
            Reconnect
          </Button>
        )}
        <Button variant="ghost" className="danger-text end-action" icon="power" busy={busy} aria-label={`${session.active ? 'Disconnect' : 'Forget'} ${session.session_id}`} onClick={() => void disconnect()}>
          {session.active ? 'Disconnect' : 'Forget'}
        </Button>
      </div>
    </li>
  );
}

export function SessionsView() {
  const { state, userId } = useApp();
  const [prefill, setPrefill] = useState<ConnectPrefill | null>(null);
  const sessions = state?.ssh.sessions ?? [];
  const active = sessions.filter((s) => s.active).length;
  return (
    <div className="page">
      <PageHeader title="Sessions" subtitle={state ? `${active} active of ${sessions.length} for ${userId ?? state.user_id}` : 'SSH sessions held by your workstation'} />
      <div className="split">
        <Card title="Your sessions" className="split-main">
          {!state ? (
            <Loading label="Waiting for the bridge…" />
          ) : sessions.length === 0 ? (
            <Empty icon="server" title="No sessions yet">
              Connect to a login node with the form. The session stays open on your workstation, so the phone can use it.
            </Empty>
          ) : (
            <ul className="session-list" aria-label="SSH sessions">
              {[...sessions]
                .sort((a, b) => Number(b.active) - Number(a.active) || b.connected_at.localeCompare(a.connected_at))
                .map((session) => (
                  <SessionRow key={session.session_id} session={session} onReconnect={setPrefill} />
                ))}
            </ul>
          )}
        </Card>
        <Card title="Connect" className="split-side">
          <ConnectForm key={prefill ? `${prefill.sessionId}@${prefill.hostname}` : 'new'} sessions={sessions} prefill={prefill} />
        </Card>
      </div>
    </div>
  );
}
