// Overview (the owner's landing page): one card per user the bridge knows, live from the `overview` push,
// with the counts the tray shows; "Act for" switches the whole UI to that user.
import type { OverviewUser } from '../../../../bridge/contracts/overview';
import { useApp } from '../../app/app-context';
import { navigate } from '../../app/router';
import { Badge, Button, Empty, Loading, PageHeader, type Tone } from '../../ui/kit';
import { formatSince } from '../../ui/format';
import './overview.css';

const TUNNEL_TONE: Record<string, Tone> = { up: 'ok', connecting: 'info', reconnecting: 'warn', down: 'bad', none: 'idle' };

function Count({ label, value }: { label: string; value: number }) {
  return (
    <div className="ov-count">
      <span className="ov-count-value">{value}</span>
      <span className="ov-count-label">{label}</span>
    </div>
  );
}

function UserCard({ user, current }: { user: OverviewUser; current: boolean }) {
  const { setOwnerUser } = useApp();
  const { counts } = user;
  const lastSeen = user.devices.map((d) => d.last_seen_at).filter((s): s is string => s !== null).sort().at(-1) ?? null;
  return (
    <li className={`card ov-user${current ? ' current' : ''}`} aria-label={`User ${user.user_id}`}>
      <header className="ov-user-head">
        <h2>{user.user_id}</h2>
        {current ? (
          <Badge tone="info">Acting for</Badge>
        ) : (
          <Button
            variant="secondary"
            onClick={() => {
              setOwnerUser(user.user_id);
              navigate('/sessions');
            }}
          >
            Act for {user.user_id}
          </Button>
        )}
      </header>
      <div className="ov-counts">
        <Count label="active sessions" value={counts.active_sessions} />
        <Count label="dropped" value={counts.dropped_sessions} />
        <Count label="terminals" value={counts.terminals} />
        <Count label="GPU watches" value={counts.gpu_watches} />
        <Count label="devices" value={counts.devices} />
      </div>
      <ul className="ov-sessions" aria-label={`Sessions of ${user.user_id}`}>
        {user.sessions.map((s) => (
          <li key={s.session_id}>
            <Badge tone={s.active ? 'ok' : 'bad'}>{s.active ? 'active' : 'dropped'}</Badge>
            <span className="mono">{s.session_id}</span>
            <span className="muted">
              {s.username}@{s.hostname}
              {!s.active && s.reason ? ` — ${s.reason}` : ''}
            </span>
          </li>
        ))}
      </ul>
      <footer className="ov-foot muted">
        <span>
          VPN: {counts.container ? <Badge tone={TUNNEL_TONE[user.vpn.state] ?? 'idle'}>{user.vpn.state === 'none' ? 'container, no tunnel' : user.vpn.state}</Badge> : 'no container'}
        </span>
        <span>{user.devices.length ? `Devices last seen ${lastSeen ? formatSince(lastSeen) : 'never'}` : 'No paired device'}</span>
      </footer>
    </li>
  );
}

export function OverviewView() {
  const { overview, userId } = useApp();
  if (!overview) return <Loading label="Waiting for the bridge…" />;
  const { totals } = overview;
  return (
    <div className="page">
      <PageHeader
        title="Overview"
        subtitle={`${totals.users} ${totals.users === 1 ? 'user' : 'users'} · ${totals.active_sessions} active ${totals.active_sessions === 1 ? 'session' : 'sessions'} · ${totals.containers} VPN ${totals.containers === 1 ? 'container' : 'containers'}`}
      />
      {overview.users.length === 0 ? (
        <Empty icon="users" title="Nobody is using the workstation yet">
          Pair a phone under Devices, or connect a session: each user shows up here, live.
        </Empty>
      ) : (
        <ul className="ov-grid" aria-label="Users">
          {overview.users.map((user) => (
            <UserCard key={user.user_id} user={user} current={user.user_id === userId} />
          ))}
        </ul>
      )}
    </div>
  );
}
