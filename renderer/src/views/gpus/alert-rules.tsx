// GPU alert rules of one session ("utilization under X% for Y minutes", "memory freed") and the alerts
// that fired. Rules live on the bridge, so they fire with no app open; fired alerts also arrive live.
import { useState, type FormEvent } from 'react';
import type { AlertRule, AlertRuleBody, FiredAlert } from '../../../../bridge/contracts/gpu';
import { useAction } from '../../app/use-action';
import { Banner, Button, Card, Field, Select } from '../../ui/kit';
import { formatSince } from '../../ui/format';
import { useAlertRules } from './use-alert-rules';

function describe(rule: AlertRule): string {
  if (rule.kind === 'utilization_below') return `GPU ${rule.gpu_index} under ${rule.threshold_pct}% for ${rule.minutes} min`;
  return `GPU ${rule.gpu_index} memory freed (under ${rule.below_mib} MiB)`;
}

function RuleForm({ sessionId, gpuIndexes, busy, onAdd }: { sessionId: string; gpuIndexes: number[]; busy: boolean; onAdd(body: AlertRuleBody): void }) {
  const [kind, setKind] = useState<AlertRuleBody['kind']>('utilization_below');
  const [gpuIndex, setGpuIndex] = useState('0');
  const [threshold, setThreshold] = useState('5');
  const [minutes, setMinutes] = useState('10');
  const [belowMib, setBelowMib] = useState('1024');

  const submit = (event: FormEvent): void => {
    event.preventDefault();
    const base = { session_id: sessionId, gpu_index: Number(gpuIndex) };
    onAdd(kind === 'utilization_below' ? { ...base, kind, threshold_pct: Number(threshold), minutes: Number(minutes) } : { ...base, kind, below_mib: Number(belowMib) });
  };

  return (
    <form className="rule-form" onSubmit={submit}>
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
  );
}

function FiredList({ fired }: { fired: FiredAlert[] }) {
  return (
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
  );
}

export function AlertRules({ sessionId, gpuIndexes }: { sessionId: string; gpuIndexes: number[] }) {
  const { rules, fired, loadError, clearLoadError, add, remove } = useAlertRules(sessionId);
  const adding = useAction();
  const removing = useAction();
  const error = loadError ?? adding.error ?? removing.error;
  const dismiss = (): void => {
    clearLoadError();
    adding.clearError();
    removing.clearError();
  };

  return (
    <Card title="Alerts" className="alerts-card">
      {error && (
        <Banner title="Alert rules" onDismiss={dismiss}>
          {error}
        </Banner>
      )}
      {rules && rules.length > 0 && (
        <ul className="rule-list">
          {rules.map((rule) => (
            <li key={rule.id}>
              <span>{describe(rule)}</span>
              <span className="muted">{rule.last_fired_at ? `fired ${formatSince(rule.last_fired_at)}` : 'not fired'}</span>
              <Button variant="ghost" icon="trash" aria-label={`Delete rule: ${describe(rule)}`} onClick={() => void removing.run(() => remove(rule.id))} />
            </li>
          ))}
        </ul>
      )}
      {rules && rules.length === 0 && <p className="muted">No rules yet. Get told when a job finishes or dies:</p>}
      <RuleForm sessionId={sessionId} gpuIndexes={gpuIndexes} busy={adding.busy} onAdd={(body) => void adding.run(() => add(body))} />
      {fired.length > 0 && <FiredList fired={fired} />}
    </Card>
  );
}
