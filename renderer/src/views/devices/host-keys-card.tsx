// "Trusted host keys" (owner only): every pinned SSH host key with its route, fingerprint, when and by
// whom it was first seen, and a Forget button for a host that was reinstalled.
import { useCallback, useEffect, useState } from 'react';
import type { DeviceListing } from '../../../../bridge/contracts/pairing';
import type { HostKeyPin } from '../../../../bridge/contracts/ssh';
import { endpoints } from '../../../../bridge/contracts/endpoints';
import { useApp } from '../../app/app-context';
import { useAction } from '../../app/use-action';
import { Banner, Button, Card, Empty, Loading } from '../../ui/kit';
import { errorText, formatDate } from '../../ui/format';

function learnedBy(pin: HostKeyPin, devices: readonly DeviceListing[]): string {
  if (pin.learned_by_user === null) return 'before routes were recorded';
  if (pin.learned_by_device === null) return `the owner, for ${pin.learned_by_user}`;
  const device = devices.find((d) => d.id === pin.learned_by_device);
  return `${device ? device.name : `device ${pin.learned_by_device}`} (${pin.learned_by_user})`;
}

function PinRow({ pin, devices, onForgotten }: { pin: HostKeyPin; devices: readonly DeviceListing[]; onForgotten: () => void }) {
  const { api } = useApp();
  const { busy, error, clearError, run } = useAction();
  const forget = async (): Promise<void> => {
    if (!window.confirm(`Forget the key of ${pin.hostname}:${pin.port} (${pin.route_label})? The next connection trusts whatever key it presents.`)) return;
    await run(async () => {
      await api.call(endpoints.ssh.forgetHostKey, { query: { hostname: pin.hostname, port: pin.port, route: pin.route } });
      onForgotten();
    });
  };
  return (
    <li className="device-row" data-host-key={`${pin.route} ${pin.hostname}:${pin.port}`}>
      <div className="device-main">
        <div className="session-title">
          <strong className="mono">
            {pin.hostname}:{pin.port}
          </strong>
          <span className="chip">{pin.route_label}</span>
        </div>
        <div className="session-meta">
          <span className="mono">{pin.fingerprint}</span>
          <span>First seen {formatDate(pin.first_seen)}</span>
          <span>by {learnedBy(pin, devices)}</span>
        </div>
        {error && <Banner onDismiss={clearError}>{error}</Banner>}
      </div>
      <Button variant="ghost" className="danger-text" icon="trash" busy={busy} onClick={() => void forget()}>
        Forget
      </Button>
    </li>
  );
}

export function HostKeysCard({ devices }: { devices: readonly DeviceListing[] }) {
  const { api } = useApp();
  const [pins, setPins] = useState<HostKeyPin[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const load = useCallback(() => {
    api.call(endpoints.ssh.hostKeys).then(
      (answer) => {
        setPins(answer.pins);
        setError(null);
      },
      (e: unknown) => setError(errorText(e)),
    );
  }, [api]);
  useEffect(load, [load]);

  return (
    <Card title="Trusted host keys" actions={<Button variant="ghost" icon="refresh" onClick={load}>Refresh</Button>}>
      {error && <Banner title="Cannot list host keys">{error}</Banner>}
      {!pins ? (
        !error && <Loading />
      ) : pins.length === 0 ? (
        <Empty icon="key" title="No host key trusted yet">Each SSH host’s key is remembered on its first connection, per route.</Empty>
      ) : (
        <ul className="device-list" aria-label="Trusted host keys">
          {pins.map((pin) => (
            <PinRow key={`${pin.route} ${pin.hostname}:${pin.port}`} pin={pin} devices={devices} onForgotten={load} />
          ))}
        </ul>
      )}
    </Card>
  );
}
