// The VPN connect form: server, user, password, protocol, server certificate pin (and auth group).
import { useState, type FormEvent } from 'react';
import type { VpnConnectBody } from '../../../../bridge/contracts/vpn';
import { endpoints } from '../../../../bridge/contracts/endpoints';
import { useApp } from '../../app/app-context';
import { useAction } from '../../app/use-action';
import { Banner, Button, Field, Select } from '../../ui/kit';

const PROTOCOLS: { value: NonNullable<VpnConnectBody['protocol']>; label: string }[] = [
  { value: 'anyconnect', label: 'Cisco AnyConnect / ocserv' },
  { value: 'gp', label: 'Palo Alto GlobalProtect' },
  { value: 'nc', label: 'Juniper Network Connect' },
  { value: 'pulse', label: 'Pulse Connect Secure' },
  { value: 'fortinet', label: 'Fortinet' },
  { value: 'array', label: 'Array Networks' },
];

export function VpnForm({ server: initialServer }: { server: string | null }) {
  const { api } = useApp();
  const [server, setServer] = useState(initialServer ?? '');
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [protocol, setProtocol] = useState<NonNullable<VpnConnectBody['protocol']>>('anyconnect');
  const [pin, setPin] = useState('');
  const [authgroup, setAuthgroup] = useState('');
  const [autoReconnect, setAutoReconnect] = useState(true);
  const { busy, error, clearError, run } = useAction();

  const submit = (event: FormEvent): Promise<void> => {
    event.preventDefault();
    return run(async () => {
      const body: VpnConnectBody = {
        vpn_url: server.trim(),
        username: username.trim(),
        password,
        real: true,
        protocol,
        auto_reconnect: autoReconnect,
        wait: true,
        ...(pin.trim() ? { servercert: pin.trim() } : {}),
        ...(authgroup.trim() ? { authgroup: authgroup.trim() } : {}),
      };
      await api.call(endpoints.vpn.connect, { body });
      setPassword('');
    });
  };

  return (
    <form className="form" onSubmit={(e) => void submit(e)} aria-label="Connect the VPN">
      {error && (
        <Banner title="Could not connect the VPN" onDismiss={clearError}>
          <pre className="log-tail">{error}</pre>
        </Banner>
      )}
      <Field label="Server" required placeholder="vpn.university.edu" autoCapitalize="off" spellCheck={false} value={server} onChange={(e) => setServer(e.target.value)} />
      <div className="form-row">
        <Field label="Username" required autoCapitalize="off" spellCheck={false} autoComplete="username" value={username} onChange={(e) => setUsername(e.target.value)} />
        <Field label="Password" required type="password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} />
      </div>
      <Select label="Protocol" value={protocol} onChange={(e) => setProtocol(e.target.value as typeof protocol)}>
        {PROTOCOLS.map((p) => (
          <option key={p.value} value={p.value}>
            {p.label}
          </option>
        ))}
      </Select>
      <Field
        label="Server certificate pin"
        placeholder="pin-sha256:…"
        autoCapitalize="off"
        spellCheck={false}
        value={pin}
        onChange={(e) => setPin(e.target.value)}
        hint="Needed when the server’s certificate is self-signed; your IT desk or openconnect’s first run gives it."
      />
      <Field label="Auth group (optional)" autoCapitalize="off" spellCheck={false} value={authgroup} onChange={(e) => setAuthgroup(e.target.value)} />
      <label className="check">
        <input type="checkbox" checked={autoReconnect} onChange={(e) => setAutoReconnect(e.target.checked)} />
        <span>Reconnect by itself when the tunnel drops (credentials kept in memory only)</span>
      </label>
      <div className="form-actions">
        <Button type="submit" variant="primary" icon="shield" busy={busy}>
          {busy ? 'Connecting…' : 'Connect VPN'}
        </Button>
      </div>
    </form>
  );
}
