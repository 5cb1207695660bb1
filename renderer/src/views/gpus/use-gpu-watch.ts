// Live GPU data for one session: gpu:watch over the socket (one poller on the bridge however many watch),
// `gpu` events for each sample, and the history fetched once then extended with every live sample.
import { useEffect, useMemo, useState } from 'react';
import type { GpuSeries, GpuSnapshot, GpuWatchAck } from '../../../../bridge/contracts/gpu';
import { useApp } from '../../app/app-context';
import { useLiveWatch, type LiveWatch } from '../../app/use-live-watch';
import { request } from '../../api/live-socket';
import { endpoints } from '../../../../bridge/contracts/endpoints';

export const HISTORY_MINUTES = 30;

function append(series: GpuSeries[], snapshot: GpuSnapshot): GpuSeries[] {
  if (!snapshot.sampled_at || snapshot.stale) return series;
  const t = Date.parse(snapshot.sampled_at);
  const cutoff = t - HISTORY_MINUTES * 60_000;
  return snapshot.gpus.map((gpu) => {
    const old = series.find((s) => s.index === gpu.index);
    const base: GpuSeries = old ?? { index: gpu.index, uuid: gpu.uuid, name: gpu.name, t: [], utilization_gpu_pct: [], memory_used_mib: [], temperature_c: [], power_draw_w: [] };
    if (base.t.length && base.t[base.t.length - 1]! >= t) return base;
    const keep = base.t.findIndex((x) => x >= cutoff);
    const from = keep < 0 ? base.t.length : keep;
    return {
      ...base,
      t: [...base.t.slice(from), t],
      utilization_gpu_pct: [...base.utilization_gpu_pct.slice(from), gpu.utilization_gpu_pct],
      memory_used_mib: [...base.memory_used_mib.slice(from), gpu.memory_used_mib],
      temperature_c: [...base.temperature_c.slice(from), gpu.temperature_c],
      power_draw_w: [...base.power_draw_w.slice(from), gpu.power_draw_w],
    };
  });
}

export function useGpuWatch(sessionId: string | null) {
  const { api, userId } = useApp();
  const [snapshot, setSnapshot] = useState<GpuSnapshot | null>(null);
  const [history, setHistory] = useState<GpuSeries[]>([]);
  const start = useMemo(
    () =>
      sessionId
        ? ({ socket, owner, userId: forUser, cancelled, fail }: LiveWatch) => {
            const onSample = (sample: GpuSnapshot): void => {
              if (sample.session_id !== sessionId || (forUser && sample.user_id !== forUser)) return;
              setSnapshot(sample);
              setHistory((series) => append(series, sample));
            };
            socket.on('gpu', onSample);
            api.call(endpoints.gpu.history, { query: { session_id: sessionId, minutes: HISTORY_MINUTES } }).then(
              (answer) => !cancelled() && setHistory((live) => (live.length ? live.map((s) => answer.gpus.find((g) => g.index === s.index) ?? s) : answer.gpus)),
              () => undefined,
            );
            request<GpuWatchAck>(socket, (ack) => socket.emit('gpu:watch', { ...owner, session_id: sessionId, interval_ms: 2000 }, ack)).then((ack) => {
              if (cancelled() || !ack.snapshot) return;
              setSnapshot(ack.snapshot);
              setHistory((series) => append(series, ack.snapshot!));
            }, fail);
            return () => {
              socket.off('gpu', onSample);
              if (socket.connected) socket.emit('gpu:unwatch', { ...owner, session_id: sessionId });
            };
          }
        : null,
    [api, sessionId],
  );
  const { error } = useLiveWatch(start);

  useEffect(() => {
    setSnapshot(null);
    setHistory([]);
  }, [sessionId, userId]);

  return { snapshot, history, error };
}
