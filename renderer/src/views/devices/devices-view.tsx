// Devices: paired phones with revoke; on the desktop (the owner) "Pair a phone" with its QR dialog and the
// trusted SSH host keys.
import { useEffect, useState } from 'react';
import type { DeviceListing } from '../../../../bridge/contracts/pairing';
import { endpoints } from '../../../../bridge/contracts/endpoints';
import { useApp } from '../../app/app-context';
import { useAction } from '../../app/use-action';
import { navigate, useLocation } from '../../app/router';
import { useNow } from '../../app/use-now';
import { loadDeviceId } from '../../api/credentials';
import { Badge, Banner, Button, Card, Empty, Loading, PageHeader } from '../../ui/kit';
import { errorText, formatDate, formatSince } from '../../ui/format';
import { DesktopSettings } from './desktop-settings';
import { HostKeysCard } from './host-keys-card';
import { PairDialog } from './pair-dialog';
import { NotificationsCard, TrustCard } from './trust-card';
import './pairing.css';
import '../sessions/sessions.css';

function DeviceRow({ device, self, showUser }: { device: DeviceListing; self: boolean; showUser: boolean }) {
  const { api } = useApp();
  const now = useNow(30_000);
  const { busy, error, clearError, run } = useAction({ busyUntilGone: true });
  const revoke = async (): Promise<void> => {
    if (self && !window.confirm('Unpair this phone? You will need a new QR code to use it again.')) return;
    await run(() => api.call(endpoints.pairing.revokeDevice, { params: { id: device.id } }));
  };
  return (
    <li className="device-row" data-device={device.id}>
      <div className="device-main">
        <div className="session-title">
          <strong>{device.name}</strong>
          {self && <Badge tone="info">This phone</Badge>}
          {showUser && <span className="chip">{device.user_id}</span>}
        </div>
        <div className="session-meta">
          <span>Paired {formatDate(device.created_at)}</span>
          <span>{device.last_seen_at ? `Seen ${formatSince(device.last_seen_at, now)}` : 'Not seen yet'}</span>
          {device.last_ip && <span className="mono">{device.last_ip}</span>}
        </div>
        {error && <Banner onDismiss={clearError}>{error}</Banner>}
      </div>
      <Button variant="ghost" className="danger-text" icon="trash" busy={busy} onClick={() => void revoke()}>
        {self ? 'Unpair' : 'Revoke'}
      </Button>
    </li>
  );
}

export function DevicesView() {
  const { api, state, isOwner, userId } = useApp();
  const { query } = useLocation();
  // /devices?pair=1 (the desktop tray's "Pair a phone…") opens the dialog at once.
  const [pairing, setPairing] = useState(query.get('pair') === '1');
  const closePairing = (): void => {
    setPairing(false);
    if (query.has('pair')) navigate('/devices', { replace: true });
  };
  const [all, setAll] = useState<DeviceListing[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const selfId = loadDeviceId();
  const userDevices = state?.devices;

  // The owner sees every user's devices; the list is fetched again whenever the pushed state changes.
  useEffect(() => {
    if (!isOwner) return;
    api.call(endpoints.pairing.devices, {}, { allUsers: true }).then(
      (answer) => {
        setAll(answer.devices);
        setError(null);
      },
      (e: unknown) => setError(errorText(e)),
    );
  }, [api, isOwner, userDevices]);

  const devices = (isOwner ? all : userDevices) ?? null;
  const others = devices ? [...devices].sort((a, b) => b.created_at.localeCompare(a.created_at)) : null;
  return (
    <div className="page">
      <PageHeader
        title="Devices"
        subtitle={isOwner ? 'Phones paired with this workstation' : `Phones paired for ${userId ?? 'you'}`}
        actions={
          isOwner && userId ? (
            <Button variant="primary" icon="qr" onClick={() => setPairing(true)}>
              Pair a phone
            </Button>
          ) : undefined
        }
      />
      {error && <Banner title="Cannot list devices">{error}</Banner>}
      <Card title="Paired devices">
        {!others ? (
          <Loading />
        ) : others.length === 0 ? (
          <Empty icon="phone" title="No phone paired yet">
            {isOwner ? 'Choose “Pair a phone” and scan the code with the phone’s camera.' : 'Pair from the desktop app.'}
          </Empty>
        ) : (
          <ul className="device-list" aria-label="Paired devices">
            {others.map((device) => (
              <DeviceRow key={device.id} device={device} self={device.id === selfId} showUser={isOwner} />
            ))}
          </ul>
        )}
      </Card>
      {isOwner && <HostKeysCard devices={all ?? []} />}
      <TrustCard />
      <NotificationsCard />
      <DesktopSettings />
      {pairing && userId && <PairDialog userId={userId} onClose={closePairing} />}
    </div>
  );
}
