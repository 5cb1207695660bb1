// One session's GPU alert rules and the last five alerts that fired: fetched from the bridge, fired alerts
// also taken live from the socket; adding or deleting a rule fetches the list again.
import { useCallback, useEffect, useState } from 'react';
import type { AlertRule, AlertRuleBody, FiredAlert } from '../../../../bridge/contracts/gpu';
import type { AnyAlert } from '../../../../bridge/contracts/socket';
import { useApp } from '../../app/app-context';
import { errorText } from '../../ui/format';
import { endpoints } from '../../../../bridge/contracts/endpoints';

export function useAlertRules(sessionId: string) {
  const { api, socket } = useApp();
  const [rules, setRules] = useState<AlertRule[] | null>(null);
  const [fired, setFired] = useState<FiredAlert[]>([]);
  const [loadError, setLoadError] = useState<string | null>(null);

  const load = useCallback(async () => {
    try {
      const [r, a] = await Promise.all([
        api.call(endpoints.gpu.rules, { query: { session_id: sessionId } }),
        api.call(endpoints.gpu.alerts, { query: { session_id: sessionId } }),
      ]);
      setRules(r.rules);
      setFired(a.alerts.slice(0, 5));
      setLoadError(null);
    } catch (e) {
      setLoadError(errorText(e));
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

  const add = async (body: AlertRuleBody): Promise<void> => {
    await api.call(endpoints.gpu.addRule, { body });
    await load();
  };

  const remove = async (id: string): Promise<void> => {
    await api.call(endpoints.gpu.deleteRule, { params: { id } });
    await load();
  };

  return { rules, fired, loadError, clearLoadError: () => setLoadError(null), add, remove };
}
