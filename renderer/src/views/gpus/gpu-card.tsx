// One GPU: utilization, memory, temperature and power at a glance, its history, and its processes.
import type { Gpu, GpuSeries } from '../../../../bridge/contracts/gpu';
import { Badge } from '../../ui/kit';
import { formatMiB, formatPercent } from '../../ui/format';
import { HistoryChart } from './history-chart';

function Meter({ label, value, detail, percent, tone }: { label: string; value: string; detail?: string; percent: number | null; tone?: 'hot' | 'warm' }) {
  return (
    <div className="meter">
      <div className="meter-head">
        <span className="meter-label">{label}</span>
        <span className="meter-value">{value}</span>
      </div>
      <div className="meter-track">
        <div className={`meter-fill${tone ? ` ${tone}` : ''}`} style={{ width: `${percent === null ? 0 : Math.max(0, Math.min(100, percent))}%` }} />
      </div>
      {detail && <span className="meter-detail muted">{detail}</span>}
    </div>
  );
}

const heat = (celsius: number | null): 'hot' | 'warm' | undefined => (celsius === null ? undefined : celsius >= 85 ? 'hot' : celsius >= 75 ? 'warm' : undefined);

export function GpuCard({ gpu, series, minutes }: { gpu: Gpu; series: GpuSeries | undefined; minutes: number }) {
  const memoryPercent = gpu.memory_used_mib !== null && gpu.memory_total_mib ? (gpu.memory_used_mib / gpu.memory_total_mib) * 100 : null;
  const powerPercent = gpu.power_draw_w !== null && gpu.power_limit_w ? (gpu.power_draw_w / gpu.power_limit_w) * 100 : null;
  const memorySeries = series && gpu.memory_total_mib ? series.memory_used_mib.map((v) => (v === null ? null : (v / gpu.memory_total_mib!) * 100)) : [];
  return (
    <article className="card gpu-card" data-gpu={gpu.index}>
      <header className="gpu-head">
        <div>
          <span className="gpu-index">GPU {gpu.index}</span>
          <h3 className="gpu-name">{gpu.name ?? 'Unknown GPU'}</h3>
        </div>
        {gpu.pstate && <Badge tone={gpu.utilization_gpu_pct ? 'ok' : 'idle'}>{gpu.pstate}</Badge>}
      </header>
      <div className="gpu-meters">
        <Meter label="Utilization" value={formatPercent(gpu.utilization_gpu_pct)} percent={gpu.utilization_gpu_pct} detail={gpu.utilization_memory_pct !== null ? `memory bus ${formatPercent(gpu.utilization_memory_pct)}` : undefined} />
        <Meter label="Memory" value={formatMiB(gpu.memory_used_mib)} percent={memoryPercent} detail={`of ${formatMiB(gpu.memory_total_mib)}`} />
        <Meter label="Temperature" value={gpu.temperature_c === null ? '—' : `${Math.round(gpu.temperature_c)} °C`} percent={gpu.temperature_c === null ? null : gpu.temperature_c} tone={heat(gpu.temperature_c)} detail={gpu.fan_speed_pct !== null ? `fan ${formatPercent(gpu.fan_speed_pct)}` : undefined} />
        <Meter
          label="Power"
          value={gpu.power_draw_w === null ? '—' : `${Math.round(gpu.power_draw_w)} W`}
          percent={powerPercent}
          detail={gpu.power_limit_w !== null ? `of ${Math.round(gpu.power_limit_w)} W` : undefined}
        />
      </div>
      {series && series.t.length > 1 ? (
        <HistoryChart
          t={series.t}
          minutes={minutes}
          lines={[
            { label: 'Utilization', className: 'line-util', values: series.utilization_gpu_pct },
            { label: 'Memory', className: 'line-mem', values: memorySeries },
          ]}
        />
      ) : (
        <p className="muted chart-empty">History builds up while you watch.</p>
      )}
      <div className="gpu-procs">
        <h4>Processes</h4>
        {gpu.processes.length === 0 ? (
          <p className="muted">No compute processes.</p>
        ) : (
          <table>
            <thead>
              <tr>
                <th>PID</th>
                <th>User</th>
                <th>Process</th>
                <th className="num">Memory</th>
              </tr>
            </thead>
            <tbody>
              {gpu.processes.map((p) => (
                <tr key={p.pid}>
                  <td className="mono">{p.pid}</td>
                  <td>{p.user ?? '—'}</td>
                  <td className="ellipsis mono" title={p.name ?? ''}>
                    {p.name ? (p.name.split(/[\\/]/).pop() ?? p.name) : '—'}
                  </td>
                  <td className="num">{formatMiB(p.used_memory_mib)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </div>
    </article>
  );
}
