// The app's frame: a sidebar on wide screens, a top bar and bottom tabs (with More) on phones, the connection status,
// the owner's "acting for" user, and GPU alerts as toasts and system notifications wherever you are.
import { useEffect, useState, type ReactNode } from 'react';
import type { AnyAlert } from '../../../bridge/contracts/socket';
import { isUserId } from '../api/credentials';
import { useApp } from './app-context';
import { NavLink, type NavItem } from './nav-link';
import { useLocation } from './router';
import { TabBar } from './tab-bar';
import { UserPicker } from './user-picker';
import { Icon } from '../ui/icons';
import { BrandMark } from '../ui/brand-mark';

export const NAV: NavItem[] = [
  { path: '/overview', label: 'Overview', icon: 'users', ownerOnly: true },
  { path: '/sessions', label: 'Sessions', icon: 'server' },
  { path: '/terminal', label: 'Terminal', icon: 'terminal' },
  { path: '/files', label: 'Files', icon: 'folder' },
  { path: '/gpus', label: 'GPUs', icon: 'gpu' },
  { path: '/jobs', label: 'Jobs', icon: 'jobs' },
  { path: '/ports', label: 'Ports', icon: 'link', underMore: true },
  { path: '/vpn', label: 'VPN', icon: 'shield', underMore: true },
  { path: '/devices', label: 'Devices', icon: 'phone', underMore: true },
];

function ConnectionDot() {
  const { status } = useApp();
  const label = status === 'online' ? 'Live' : status === 'connecting' ? 'Connecting' : 'Offline';
  return (
    <span className={`conn conn-${status}`} role="status" title={status === 'online' ? 'Receiving live updates from the bridge' : 'Not connected to the bridge'}>
      <span className="dot" aria-hidden="true" />
      {label}
    </span>
  );
}

function AlertToasts() {
  const { socket } = useApp();
  const [alerts, setAlerts] = useState<AnyAlert[]>([]);
  useEffect(() => {
    if (!socket) return;
    const onAlert = (alert: AnyAlert): void => {
      setAlerts((list) => [alert, ...list].slice(0, 3));
      setTimeout(() => setAlerts((list) => list.filter((a) => a.id !== alert.id)), 15_000);
    };
    socket.on('alert', onAlert);
    return () => {
      socket.off('alert', onAlert);
    };
  }, [socket]);
  if (alerts.length === 0) return null;
  return (
    <div className="toasts" aria-live="assertive">
      {alerts.map((alert) => (
        <div key={alert.id} className="toast" role="alert">
          <Icon name="bell" size={18} />
          <div>
            <strong>
              {alert.type === 'gpu' ? `GPU ${alert.gpu_index}` : `Job ${alert.job_id}`} · {alert.host}
            </strong>
            <div>{alert.message}</div>
          </div>
          <button type="button" className="icon-btn" aria-label="Dismiss" onClick={() => setAlerts((list) => list.filter((a) => a.id !== alert.id))}>
            <Icon name="close" size={16} />
          </button>
        </div>
      ))}
    </div>
  );
}

export function Shell({ children }: { children: ReactNode }) {
  const { isOwner, status, userId, setOwnerUser } = useApp();
  const { path, query } = useLocation();
  // A link for another user (a desktop notification's /gpus?user=alice&session=...) switches the owner to them.
  const linkedUser = query.get('user');
  useEffect(() => {
    if (isOwner && linkedUser && linkedUser !== userId && isUserId(linkedUser)) setOwnerUser(linkedUser);
  }, [isOwner, linkedUser, userId, setOwnerUser]);
  const nav = NAV.filter((item) => isOwner || !item.ownerOnly);
  const current = nav.find((item) => path === item.path || path.startsWith(item.path + '/'));
  return (
    <div className="shell">
      <aside className="sidebar">
        <div className="brand">
          <BrandMark />
          <span className="brand-name">Vigilink</span>
        </div>
        <nav className="side-nav" aria-label="Main">
          {nav.map((item) => (
            <NavLink key={item.path} item={item} current={item === current} />
          ))}
        </nav>
        <div className="sidebar-foot">
          {isOwner && (
            <div className="acting">
              <span className="muted">Acting for</span>
              <UserPicker />
            </div>
          )}
          <ConnectionDot />
        </div>
      </aside>
      <header className="topbar">
        <BrandMark size="small" />
        <span className="topbar-title">{current?.label ?? 'Vigilink'}</span>
        <span className="topbar-end">
          {isOwner && <UserPicker />}
          <ConnectionDot />
        </span>
      </header>
      {status === 'offline' && (
        <div className="offline-bar" role="status">
          Lost the connection to your workstation. Reconnecting…
        </div>
      )}
      <main className="content">{children}</main>
      <TabBar nav={nav} current={current} />
      <AlertToasts />
    </div>
  );
}
