// System notifications from live events (the only place alerts become notifications): a GPU or job alert, and a phone newly paired for this user
// (the owner hears of every claim). The platform shows them only where the person allowed it.
import { useEffect, useRef } from 'react';
import type { AnyAlert, PairClaimed } from '../../../bridge/contracts/socket';
import type { AppServices } from './app-context';

export function useNotifications({ platform, socket, state, isOwner }: Pick<AppServices, 'platform' | 'socket' | 'state' | 'isOwner'>): void {
  useEffect(() => {
    if (!socket) return;
    const onAlert = (alert: AnyAlert): void =>
      platform.notify(alert.type === 'gpu' ? `GPU alert on ${alert.host}` : `Job ${alert.job_id} on ${alert.host}`, alert.message);
    const onClaimed = (claimed: PairClaimed): void => platform.notify('Phone paired', `${claimed.device.name} now acts for ${claimed.device.user_id}.`);
    socket.on('alert', onAlert);
    if (isOwner) socket.on('pair:claimed', onClaimed);
    return () => {
      socket.off('alert', onAlert);
      socket.off('pair:claimed', onClaimed);
    };
  }, [platform, socket, isOwner]);

  // A paired device hears of its user's new devices through the pushed state; the first push is the baseline.
  const known = useRef<Set<string> | null>(null);
  const devices = state?.devices;
  useEffect(() => {
    if (!devices || isOwner) return;
    const ids = new Set(devices.map((d) => d.id));
    if (known.current) {
      for (const device of devices) if (!known.current.has(device.id)) platform.notify('Phone paired', `${device.name} was paired for ${device.user_id}.`);
    }
    known.current = ids;
  }, [devices, isOwner, platform]);
}
