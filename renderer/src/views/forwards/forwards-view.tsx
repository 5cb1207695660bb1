// Open ports: forward TensorBoard, Jupyter or any port of the cluster to a bridge port of its own, open it
// in a new tab (through a one-time link that sets this browser's cookie), see bytes and last use, stop it.
import { useEffect, useState } from 'react';
import { FORWARD_PRESETS, type Forward } from '../../../../bridge/contracts/forwards';
import { endpoints } from '../../../../bridge/contracts/endpoints';
import { useApp } from '../../app/app-context';
import { useAction } from '../../app/use-action';
import { useLocation } from '../../app/router';
import { useNow } from '../../app/use-now';
import { Badge, Banner, Button, Card, Empty, Field, Loading, PageHeader, Segmented, Select } from '../../ui/kit';
import { errorText, formatBytes, formatSince } from '../../ui/format';
import '../sessions/sessions.css';

type Preset = 'tensorboard' | 'jupyter' | 'custom';
const PRESET_PORTS: Record<Exclude<Preset, 'custom'>, (typeof FORWARD_PRESETS)[number]> = {
  tensorboard: FORWARD_PRESETS[0],
  jupyter: FORWARD_PRESETS[1],
};

/** A new tab opened at once (the click's permission to open one), sent to the link once it is made. */
async function openInNewTab(makeUrl: () => Promise<string>): Promise<void> {
  const tab = window.open('', '_blank');
  try {
    const url = await makeUrl();
    if (!tab) return void window.location.assign(url);
    tab.opener = null;
    tab.location.href = url;
  } catch (error) {
    tab?.close();
    throw error;
  }
}

function ForwardRow({ forward }: { forward: Forward }) {
  const { api } = useApp();
  const now = useNow(15_000);
  const open = useAction();
  const stop = useAction({ busyUntilGone: true });
  const id = encodeURIComponent(forward.forward_id);
  return (
    <li className="session-row" data-forward={forward.forward_id} aria-label={`Forward ${forward.name}`}>
      <div className="session-main">
        <div className="session-title">
          <strong>{forward.name}</strong>
          <Badge tone={forward.connections > 0 ? 'ok' : 'idle'}>{forward.via === 'ssh' ? `via ${forward.session_id}` : 'via VPN container'}</Badge>
        </div>
        <div className="session-target mono">
          {forward.remote_host}:{forward.remote_port} → port {forward.port}
        </div>
        <div className="session-meta">
          <span>
            ↑ {formatBytes(forward.bytes_in)} ↓ {formatBytes(forward.bytes_out)}
          </span>
          <span>Used {formatSince(forward.last_used_at, now)}</span>
        </div>
        {open.error && <Banner onDismiss={open.clearError}>{open.error}</Banner>}
        {stop.error && <Banner onDismiss={stop.clearError}>{stop.error}</Banner>}
      </div>
      <Button
        variant="primary"
        icon="link"
        busy={open.busy}
        onClick={() => void open.run(() => openInNewTab(async () => (await api.call(endpoints.forwards.link, { params: { id } })).url))}
      >
        Open
      </Button>
      <Button variant="ghost" className="danger-text" icon="trash" busy={stop.busy} onClick={() => void stop.run(() => api.call(endpoints.forwards.close, { params: { id } }))}>
        Stop
      </Button>
    </li>
  );
}

function AddForward() {
  const { api, state } = useApp();
  const { query } = useLocation();
  // A GPU card's "Open TensorBoard" arrives as /ports?session=...&port=6006.
  const [preset, setPreset] = useState<Preset>(query.get('port') === '8888' ? 'jupyter' : query.get('port') && query.get('port') !== '6006' ? 'custom' : 'tensorboard');
  const [port, setPort] = useState(query.get('port') ?? '');
  const [host, setHost] = useState(query.get('host') ?? '127.0.0.1');
  const [session, setSession] = useState(query.get('session') ?? '');
  const { busy, error, clearError, run } = useAction();
  const sessions = (state?.ssh.sessions ?? []).filter((s) => s.active);
  const chosen = preset === 'custom' ? { name: undefined, remote_port: Number(port) } : PRESET_PORTS[preset];
  const submit = (): Promise<void> =>
    run(() =>
      api.call(endpoints.forwards.open, {
        body: {
          remote_port: chosen.remote_port,
          remote_host: host,
          ...(chosen.name ? { name: chosen.name } : {}),
          ...(session ? { session_id: session } : {}),
        },
      }),
    );
  return (
    <Card title="Forward a port">
      <form
        className="form"
        aria-label="Forward a port"
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
      >
        <Segmented<Preset>
          label="App"
          value={preset}
          onChange={setPreset}
          options={[
            { value: 'tensorboard', label: 'TensorBoard 6006' },
            { value: 'jupyter', label: 'Jupyter 8888' },
            { value: 'custom', label: 'Custom' },
          ]}
        />
        {preset === 'custom' && <Field label="Remote port" inputMode="numeric" value={port} onChange={(e) => setPort(e.target.value)} required />}
        <Field label="Host (as the session's host sees it)" value={host} onChange={(e) => setHost(e.target.value)} hint="127.0.0.1 is the login node itself; a compute node's name works too." />
        <Select label="Through" value={session} onChange={(e) => setSession(e.target.value)}>
          <option value="">{sessions.length ? 'Default session' : 'VPN container'}</option>
          {sessions.map((s) => (
            <option key={s.session_id} value={s.session_id}>
              {s.session_id} ({s.hostname})
            </option>
          ))}
        </Select>
        {error && <Banner onDismiss={clearError}>{error}</Banner>}
        <Button variant="primary" icon="plus" type="submit" busy={busy}>
          Forward
        </Button>
      </form>
    </Card>
  );
}

export function ForwardsView() {
  const { api, state } = useApp();
  const [forwards, setForwards] = useState<Forward[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const pushed = state?.forwards.forwards;
  // The pushed state says when forwards come and go; bytes and last use change without a push, so poll too.
  useEffect(() => {
    let stopped = false;
    const load = (): void =>
      void api.call(endpoints.forwards.list).then(
        (answer) => !stopped && (setForwards(answer.forwards), setError(null)),
        (e: unknown) => !stopped && setError(errorText(e)),
      );
    load();
    const timer = window.setInterval(load, 5_000);
    return () => {
      stopped = true;
      window.clearInterval(timer);
    };
  }, [api, pushed]);

  return (
    <div className="page">
      <PageHeader title="Open ports" subtitle="Web apps on the cluster (TensorBoard, Jupyter, any port), each opened in a tab of its own" />
      <AddForward />
      {error && <Banner title="Cannot list forwards">{error}</Banner>}
      <Card title="Forwards">
        {!forwards ? (
          <Loading />
        ) : forwards.length === 0 ? (
          <Empty icon="link" title="No port forwarded">
            Choose an app above; it opens in a new tab.
          </Empty>
        ) : (
          <ul className="session-list" aria-label="Forwards">
            {forwards.map((forward) => (
              <ForwardRow key={forward.forward_id} forward={forward} />
            ))}
          </ul>
        )}
      </Card>
    </div>
  );
}
