// VPN: the user's VPN container and tunnel (up / connecting / down, address, since, openconnect's log tail
// when it failed), a login form the server sent, its connect form and disconnect; for the owner, every user's container.
import { useEffect, useState } from 'react';
import type { VpnContainerList, VpnUserState } from '../../../../bridge/contracts/vpn';
import { endpoints } from '../../../../bridge/contracts/endpoints';
import { useApp } from '../../app/app-context';
import { useAction } from '../../app/use-action';
import { useNow } from '../../app/use-now';
import { Badge, Banner, Button, Card, Empty, Loading, PageHeader, type Tone } from '../../ui/kit';
import { errorText, formatSince } from '../../ui/format';
import { VpnForm } from './vpn-form';
import { VpnPromptCard } from './vpn-prompt';
import './vpn.css';

const TONES: Record<VpnUserState['state'], Tone> = { up: 'ok', connecting: 'warn', authenticating: 'warn', needs_answer: 'warn', down: 'bad', none: 'idle' };
const LABELS: Record<VpnUserState['state'], string> = {
  up: 'Connected',
  connecting: 'Connecting',
  authenticating: 'Signing in',
  needs_answer: 'Waiting for your answer',
  down: 'Down',
  none: 'Not connected',
};
/** States in which a connect is under way (no connect form then). */
const BUSY = new Set<VpnUserState['state']>(['up', 'connecting', 'authenticating', 'needs_answer']);

function TunnelCard({ vpn }: { vpn: VpnUserState }) {
  const { api } = useApp();
  const now = useNow(30_000);
  const { busy, error, clearError, run } = useAction();
  const disconnect = () => run(() => api.call(endpoints.vpn.disconnect));
  return (
    <Card
      title="Tunnel"
      actions={
        vpn.container_id && (
          <Button variant="ghost" className="danger-text" icon="power" busy={busy} onClick={() => void disconnect()}>
            Disconnect
          </Button>
        )
      }
    >
      <div className="vpn-state">
        <Badge tone={TONES[vpn.state]}>{LABELS[vpn.state]}</Badge>
        {vpn.state === 'none' && !vpn.container_id ? (
          <p className="muted">No VPN runs for you now. Once connected, hosts behind the cluster’s VPN are reachable from your sessions, files and terminals; this computer’s own network stays as it is.</p>
        ) : (
          <dl className="facts">
            <div>
              <dt>Server</dt>
              <dd className={vpn.server ? 'mono' : undefined}>{vpn.server ?? '—'}</dd>
            </div>
            <div>
              <dt>Address</dt>
              <dd className={vpn.ip ? 'mono' : undefined}>{vpn.ip ?? '—'}</dd>
            </div>
            <div>
              <dt>Since</dt>
              <dd>{vpn.since ? formatSince(vpn.since, now) : '—'}</dd>
            </div>
            <div>
              <dt>Container</dt>
              <dd className={vpn.container_id ? 'mono' : undefined}>{vpn.container_id ? vpn.container_id.slice(0, 12) : 'None'}</dd>
            </div>
          </dl>
        )}
      </div>
      {vpn.auto_reconnect && (vpn.state === 'down' || vpn.state === 'connecting') && vpn.container_id && <p className="muted">Reconnecting by itself with backoff.</p>}
      {vpn.state === 'none' && !vpn.container_id && vpn.reason && <Banner title="The last connect failed">{vpn.reason}</Banner>}
      {vpn.state === 'down' && (
        <div className="vpn-failure">
          {vpn.reason && <Banner title="Why it is down">{vpn.reason}</Banner>}
          {vpn.log_tail.length > 0 && (
            <details open>
              <summary>openconnect log</summary>
              <pre className="log-tail">{vpn.log_tail.join('\n')}</pre>
            </details>
          )}
        </div>
      )}
      {error && <Banner onDismiss={clearError}>{error}</Banner>}
    </Card>
  );
}

type ContainerRow = VpnContainerList['containers'][number];

function AllContainers() {
  const { api, state } = useApp();
  const [rows, setRows] = useState<ContainerRow[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const vpn = state?.vpn;
  useEffect(() => {
    api.call(endpoints.vpn.containers).then(
      (answer) => setRows(answer.containers),
      (e: unknown) => setError(errorText(e)),
    );
  }, [api, vpn]);
  return (
    <Card title="All users’ containers">
      {error ? (
        <Banner>{error}</Banner>
      ) : !rows ? (
        <Loading />
      ) : rows.length === 0 ? (
        <Empty icon="shield" title="No containers running" />
      ) : (
        <table className="table">
          <thead>
            <tr>
              <th>User</th>
              <th>Tunnel</th>
              <th>Address</th>
              <th>Container</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => (
              <tr key={row.container_id}>
                <td>{row.user_id}</td>
                <td>{row.state ?? '—'}</td>
                <td className="mono">{row.ip ?? '—'}</td>
                <td className="mono">{row.container_id.slice(0, 12)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Card>
  );
}

export function VpnView() {
  const { state, isOwner } = useApp();
  if (!state) return <Loading />;
  const vpn = state.vpn;
  return (
    <div className="page">
      <PageHeader title="VPN" subtitle="The cluster’s VPN, in a container of your own on the workstation" />
      {!vpn ? (
        <Card>
          <Empty icon="shield" title="VPN is not available on this bridge">
            This workstation’s bridge was built without VPN containers.
          </Empty>
        </Card>
      ) : (
        <div className="split">
          <div className="split-main stack">
            {vpn.prompt && <VpnPromptCard key={vpn.prompt.prompt_id} prompt={vpn.prompt} />}
            <TunnelCard vpn={vpn} />
            {isOwner && (
              <div className="wide-only">
                <AllContainers />
              </div>
            )}
          </div>
          {!BUSY.has(vpn.state) && (
            <Card title="Connect" className="split-side">
              <VpnForm server={vpn.server} />
            </Card>
          )}
        </div>
      )}
    </div>
  );
}
