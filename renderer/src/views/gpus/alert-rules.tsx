// GPU alert rules of one session ("utilization under X% for Y minutes", "memory freed") and the alerts
// that fired. Rules live on the bridge, so they fire with no app open; fired alerts also arrive live.
import { useCallback, useEffect, useState, type FormEvent } from 'react';
import type { AlertRule, AlertRuleBody, FiredAlert } from '../../../../bridge/contracts/gpu';
import type { AnyAlert } from '../../../../bridge/contracts/socket';
import { endpoints } from '../../../../bridge/contracts/endpoints';
import { useApp } from '../../app/app-context';
import { Banner, Button, Card, Field, Select } from '../../ui/kit';
import { errorText, formatSince } from '../../ui/format';

function describe(rule: AlertRule): string {
  if (rule.kind === 'utilization_below') return `GPU ${rule.gpu_index} under ${rule.threshold_pct}% for ${rule.minutes} min`;
  return `GPU ${rule.gpu_index} memory freed (under ${rule.below_mib} MiB)`;
}

export function AlertRules({ sessionId, gpuIndexes }: { sessionId: string; gpuIndexes: number[] }) {
  const { api, socket } = useApp();
  const [rules, setRules] = useState<AlertRule[] | null>(null);
  const [fired, setFired] = useState<FiredAlert[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [kind, setKind] = useState<AlertRuleBody['kind']>('utilization_below');
  const [gpuIndex, setGpuIndex] = useState('0');
  const [threshold, setThreshold] = useState('5');
  const [minutes, setMinutes] = useState('10');
  const [belowMib, setBelowMib] = useState('1024');
  const [busy, setBusy] = useState(false);

  const load = useCallback(async () => {
    try {
      const [r, a] = await Promise.all([
        api.call(endpoints.gpu.rules, { query: { session_id: sessionId } }),
        api.call(endpoints.gpu.alerts, { query: { session_id: sessionId } }),
      ]);
      setRules(r.rules);
      setFired(a.alerts.slice(0, 5));
      setError(null);
    } catch (e) {
      setError(errorText(e));
    }
  }, [api, sessionId]);

  useEffect(() => {
    void load();
  }, [load]);

  useEffect(() => {
    if (!socket) return;
    const onAlert = (alert: AnyAlert): void => {
      if (alert.type === 'gpu' && alert.session_id === sessionId) setFired((list) => [alert, ...list].slice(0, 5));
    };
    socket.on('alert', onAlert);
    return () => {
      socket.off('alert', onAlert);
    };
  }, [socket, sessionId]);

  const add = async (event: FormEvent): Promise<void> => {
    event.preventDefault();
    setBusy(true);
    try {
      const base = { session_id: sessionId, gpu_index: Number(gpuIndex) };
      const body = kind === 'utilization_below' ? { ...base, kind, threshold_pct: Number(threshold), minutes: Number(minutes) } : { ...base, kind, below_mib: Number(belowMib) };
      await api.call(endpoints.gpu.addRule, { body });
      await load();
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  };

  const remove = async (id: string): Promise<void> => {
    try {
      await api.call(endpoints.gpu.deleteRule, { params: { id } });
      await load();
    } catch (e) {
      setError(errorText(e));
    }
  };

  return (
    <Card title="Alerts" className="alerts-card">
      {error && (
        <Banner title="Alert rules" onDismiss={() => setError(null)}>
          {error}
        </Banner>
      )}
      {rules && rules.length > 0 && (
        <ul className="rule-list">
          {rules.map((rule) => (
            <li key={rule.id}>
              <span>{describe(rule)}</span>
              <span className="muted">{rule.last_fired_at ? `fired ${formatSince(rule.last_fired_at)}` : 'not fired'}</span>
              <Button variant="ghost" icon="trash" aria-label={`Delete rule: ${describe(rule)}`} onClick={() => void remove(rule.id)} />
            </li>
          ))}
        </ul>
      )}
      {rules && rules.length === 0 && <p className="muted">No rules yet. Get told when a job finishes or dies:</p>}
      <form className="rule-form" onSubmit={(e) => void add(e)}>
        <Select label="When" value={kind} onChange={(e) => setKind(e.target.value as AlertRuleBody['kind'])}>
          <option value="utilization_below">GPU goes idle</option>
          <option value="memory_freed">Memory is freed</option>
        </Select>
        <Select label="GPU" value={gpuIndex} onChange={(e) => setGpuIndex(e.target.value)}>
          {(gpuIndexes.length ? gpuIndexes : [0]).map((i) => (
            <option key={i} value={i}>
              GPU {i}
            </option>
          ))}
        </Select>
        {kind === 'utilization_below' ? (
          <>
            <Field label="Under %" inputMode="numeric" value={threshold} onChange={(e) => setThreshold(e.target.value)} />
            <Field label="For minutes" inputMode="numeric" value={minutes} onChange={(e) => setMinutes(e.target.value)} />
          </>
        ) : (
          <Field label="Under MiB" inputMode="numeric" value={belowMib} onChange={(e) => setBelowMib(e.target.value)} />
        )}
        <Button type="submit" icon="bell" busy={busy}>
          Add rule
        </Button>
      </form>
      {fired.length > 0 && (
        <div className="fired">
          <h4>Recent alerts</h4>
          <ul>
            {fired.map((alert) => (
              <li key={alert.id}>
                <span>{alert.message}</span>
                <span className="muted">{formatSince(alert.fired_at)}</span>
              </li>
            ))}
          </ul>
        </div>
      )}
    </Card>
  );
}
