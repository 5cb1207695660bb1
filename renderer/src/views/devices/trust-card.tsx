// "Trust on a phone" (owner): a QR code for http://<lan-address>:<port>/trust, where a phone installs this
// workstation's CA once, and the CA's fingerprint to compare. Also, on any device, turning on notifications.
import { useState } from 'react';
import type { TrustResponse } from '../../../../bridge/contracts/tls';
import { endpoints } from '../../../../bridge/contracts/endpoints';
import { useApp } from '../../app/app-context';
import { useAction } from '../../app/use-action';
import { Banner, Button, Card } from '../../ui/kit';

export function TrustCard() {
  const { api, isOwner } = useApp();
  const [trust, setTrust] = useState<TrustResponse | null>(null);
  const { busy, error, clearError, run } = useAction();
  if (!isOwner) return null;
  const show = (): Promise<void> => run(async () => setTrust(await api.call(endpoints.tls.trust)));
  return (
    <Card
      title="Trust on a phone"
      actions={
        !trust && (
          <Button icon="qr" busy={busy} onClick={() => void show()}>
            Show trust code
          </Button>
        )
      }
    >
      <p className="muted">
        Once per phone, before pairing: scan this code, install the certificate the page offers, and check that the phone shows the same
        fingerprint as here. The phone then reaches Vigilink over HTTPS with no warning.
      </p>
      {error && <Banner onDismiss={clearError}>{error}</Banner>}
      {trust && (
        <div className="pair-offer">
          <div className="qr-frame">
            <img className="qr" src={trust.qr_png} alt="Trust QR code" data-testid="trust-qr" />
          </div>
          <code className="pair-url">{trust.trust_url}</code>
          {trust.ca_fingerprint_sha256 ? (
            <p>
              SHA-256 fingerprint: <code className="mono" data-testid="ca-fingerprint">{trust.ca_fingerprint_sha256}</code>
            </p>
          ) : (
            <p className="muted">Vigilink serves your own certificate here (VIGILINK_TLS_CERT): phones have nothing to install.</p>
          )}
        </div>
      )}
    </Card>
  );
}

/** Asking for notification permission needs a tap; shown where the browser could still ask. */
export function NotificationsCard() {
  const { platform } = useApp();
  const supported = platform.kind === 'web' && typeof Notification !== 'undefined' && window.isSecureContext;
  const [permission, setPermission] = useState(supported ? Notification.permission : 'denied');
  if (!supported || permission !== 'default') return null;
  return (
    <Card title="Notifications">
      <p className="muted">Get GPU alerts and new pairings as notifications on this device, even when the app is in the background.</p>
      <Button icon="bell" onClick={() => void Notification.requestPermission().then(setPermission)}>
        Allow notifications
      </Button>
    </Card>
  );
}
