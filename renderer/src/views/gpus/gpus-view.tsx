// GPUs: a card per GPU of the chosen session's host, live over the socket, with history, processes and
// alert rules; a host without GPUs (or with a broken driver) says so in plain words.
import { href, navigate, useLocation } from '../../app/router';
import { NoSession, SessionPicker, useSelectedSession } from '../../app/session-picker';
import { useNow } from '../../app/use-now';
import { Badge, Banner, Button, Empty, Loading, PageHeader } from '../../ui/kit';
import { formatSince } from '../../ui/format';
import { AlertRules } from './alert-rules';
import { GpuCard } from './gpu-card';
import { HISTORY_MINUTES, useGpuWatch } from './use-gpu-watch';
import './gpus.css';

export function GpusView() {
  const { query } = useLocation();
  const { sessions, selected, loading } = useSelectedSession();
  const { snapshot, history, error } = useGpuWatch(selected?.session_id ?? null);
  const now = useNow(5_000);
  if (loading) return <Loading />;
  const gpus = snapshot?.gpus ?? [];
  return (
    <div className="page">
      <PageHeader
        title="GPUs"
        subtitle={
          snapshot ? (
            <span className="gpu-host">
              <span className="mono">{snapshot.host}</span>
              {snapshot.sampled_at && <span>updated {formatSince(snapshot.sampled_at, now)}</span>}
              {snapshot.stale && <Badge tone="warn">stale</Badge>}
            </span>
          ) : (
            'Live from nvidia-smi on the session’s host'
          )
        }
        actions={<SessionPicker sessions={sessions} selected={selected} path="/gpus" />}
      />
      {!selected ? (
        <NoSession what="GPU monitoring" missing={query.get('session')} />
      ) : (
        <>
          {error && <Banner title="Cannot watch this host’s GPUs">{error}</Banner>}
          {snapshot?.error && (
            <Banner kind={gpus.length ? 'warning' : 'info'} title={gpus.length ? 'Showing the last good reading' : 'No GPU data from this host'}>
              {snapshot.error}
            </Banner>
          )}
          {!snapshot && !error && <Loading label="Asking nvidia-smi…" />}
          {snapshot && gpus.length === 0 && !snapshot.error && <Empty icon="gpu" title="No GPUs on this host" />}
          {gpus.length > 0 && (
            <div className="gpu-grid">
              {gpus.map((gpu) => (
                <GpuCard key={gpu.index} gpu={gpu} series={history.find((s) => s.index === gpu.index)} minutes={HISTORY_MINUTES} />
              ))}
            </div>
          )}
          {snapshot && <AlertRules sessionId={selected.session_id} gpuIndexes={gpus.map((g) => g.index)} />}
          {snapshot && (
            <Button icon="link" onClick={() => navigate(href('/ports', { session: selected.session_id, port: '6006' }))}>
              Open TensorBoard on this node
            </Button>
          )}
        </>
      )}
    </div>
  );
}
