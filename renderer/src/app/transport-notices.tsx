// What the app says about its connection to the workstation: unreachable (the offline shell, a phone
// away from the LAN), and plain HTTP allowed on the LAN (VIGILINK_INSECURE_LAN_HTTP=1). Also starts the
// live notifications of the signed-in app.
import { useEffect, useState } from 'react';
import type { TlsInfoResponse } from '../../../bridge/contracts/tls';
import { endpointUrl } from '../../../bridge/contracts/endpoint';
import { endpoints } from '../../../bridge/contracts/endpoints';
import { Banner } from '../ui/kit';
import { useApp } from './app-context';
import { useNotifications } from './use-notifications';

const RETRY_MS = 10_000;

/** Probes /healthz (never cached by the service worker) at start, every 10 s while it fails, and when the phone comes online. */
export function WorkstationUnreachable() {
  const [reachable, setReachable] = useState(true);
  useEffect(() => {
    let timer: number | undefined;
    let stopped = false;
    const probe = (): void => {
      window.clearTimeout(timer);
      fetch(endpointUrl(endpoints.health.check), { cache: 'no-store' }).then(
        (response) => !stopped && setReachable(response.ok),
        () => {
          if (stopped) return;
          setReachable(false);
          timer = window.setTimeout(probe, RETRY_MS);
        },
      );
    };
    probe();
    window.addEventListener('online', probe);
    return () => {
      stopped = true;
      window.clearTimeout(timer);
      window.removeEventListener('online', probe);
    };
  }, []);
  if (reachable) return null;
  return (
    <div className="transport-notice">
      <Banner title="Cannot reach your workstation">
        Vigilink on this device talks to your workstation directly: it must be on, running Vigilink, and on the same network (or your
        tunnel to it must be up). This page retries by itself.
      </Banner>
    </div>
  );
}

/** Inside the signed-in app: notifications, and the insecure-LAN warning when the bridge allows plain HTTP. */
export function TransportNotices() {
  const app = useApp();
  useNotifications(app);
  const [info, setInfo] = useState<TlsInfoResponse | null>(null);
  useEffect(() => {
    app.api.call(endpoints.tls.info).then(setInfo, () => setInfo(null));
  }, [app.api]);
  if (!info?.insecure_lan_http) return null;
  return (
    <div className="transport-notice">
      <Banner kind="warning" title="Plain HTTP is allowed on the LAN">
        This workstation runs with VIGILINK_INSECURE_LAN_HTTP=1: phones may reach it without encryption, so anyone on the same network can read
        passwords, tokens and files sent that way. {window.isSecureContext ? 'This connection is encrypted.' : 'This connection is not encrypted.'}
      </Banner>
    </div>
  );
}
