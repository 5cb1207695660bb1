// "Pair a phone": asks the bridge for a pairing offer, shows its QR code and countdown, and closes with the
// new device's name when the bridge says the offer was claimed (socket `pair:claimed`).
import { useCallback, useEffect, useState } from 'react';
import type { LanAddress, PairOfferResponse } from '../../../../bridge/contracts/pairing';
import type { PairClaimed } from '../../../../bridge/contracts/socket';
import { endpoints } from '../../../../bridge/contracts/endpoints';
import { useApp } from '../../app/app-context';
import { useNow } from '../../app/use-now';
import { Icon } from '../../ui/icons';
import { Banner, Button, Loading } from '../../ui/kit';
import { errorText } from '../../ui/format';

function countdown(ms: number): string {
  const seconds = Math.max(0, Math.ceil(ms / 1000));
  return `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, '0')}`;
}

export function PairDialog({ userId, onClose }: { userId: string; onClose(): void }) {
  const { api, socket } = useApp();
  const now = useNow(250);
  const [offer, setOffer] = useState<PairOfferResponse | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [claimed, setClaimed] = useState<PairClaimed | null>(null);
  const [addresses, setAddresses] = useState<LanAddress[]>([]);
  const [address, setAddress] = useState<string | undefined>(undefined);

  const create = useCallback(async () => {
    setError(null);
    setOffer(null);
    try {
      setOffer(await api.call(endpoints.pairing.offer, { body: { user_id: userId, ...(address ? { address } : {}) } }));
    } catch (e) {
      setError(errorText(e));
    }
  }, [api, userId, address]);

  useEffect(() => {
    void create();
  }, [create]);

  useEffect(() => {
    api.call(endpoints.pairing.addresses).then(
      (answer) => setAddresses(answer.public_url ? [] : answer.addresses),
      () => setAddresses([]),
    );
  }, [api]);

  useEffect(() => {
    if (!socket || !offer) return;
    const onClaimed = (payload: PairClaimed): void => {
      if (payload.offer_id === offer.offer_id) setClaimed(payload);
    };
    socket.on('pair:claimed', onClaimed);
    return () => {
      socket.off('pair:claimed', onClaimed);
    };
  }, [socket, offer]);

  useEffect(() => {
    const onKey = (e: KeyboardEvent): void => {
      if (e.key === 'Escape') onClose();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [onClose]);

  const left = offer ? Date.parse(offer.expires_at) - now : 0;
  const expired = offer !== null && left <= 0 && !claimed;
  const fraction = offer ? Math.max(0, Math.min(1, left / (offer.expires_in * 1000))) : 0;

  return (
    <div className="modal-backdrop" onClick={onClose}>
      <div className="modal" role="dialog" aria-modal="true" aria-labelledby="pair-title" onClick={(e) => e.stopPropagation()}>
        <header className="modal-header">
          <h2 id="pair-title">Pair a phone</h2>
          <button type="button" className="icon-btn" aria-label="Close" onClick={onClose}>
            <Icon name="close" size={18} />
          </button>
        </header>
        {error && <Banner title="Could not create a pairing code">{error}</Banner>}
        {!offer && !error && <Loading label="Creating a one-time code…" />}
        {claimed ? (
          <div className="pair-done" role="status">
            <div className="pair-done-icon">
              <Icon name="phone" size={32} />
            </div>
            <strong>{claimed.device.name} is paired</strong>
            <p className="muted">It now acts for {claimed.device.user_id} and sees your sessions live.</p>
            <Button variant="primary" onClick={onClose}>
              Done
            </Button>
          </div>
        ) : (
          offer && (
            <div className="pair-offer">
              <p className="muted">
                Scan with the phone’s camera, on the same network as this computer. The phone will act for <strong>{offer.user_id}</strong>.
              </p>
              <div className={`qr-frame${expired ? ' expired' : ''}`}>
                <img className="qr" src={offer.qr_png} alt="Pairing QR code" data-testid="pair-qr" />
                {expired && (
                  <div className="qr-expired">
                    <strong>Code expired</strong>
                    <Button variant="primary" icon="refresh" onClick={() => void create()}>
                      New code
                    </Button>
                  </div>
                )}
              </div>
              <div className="countdown" aria-live="polite">
                <div className="countdown-track">
                  <div className="countdown-fill" style={{ width: `${fraction * 100}%` }} />
                </div>
                <span>{expired ? 'Expired' : `Expires in ${countdown(left)}`}</span>
              </div>
              <code className="pair-url" title="The secret after # never reaches a server log">
                {offer.url.replace(/#.*/, '#…')}
              </code>
              {addresses.length > 1 && (
                <label className="picker">
                  <span>Address the phone uses</span>
                  <select value={address ?? addresses[0]?.address} onChange={(e) => setAddress(e.target.value)}>
                    {addresses.map((a) => (
                      <option key={a.address} value={a.address}>
                        {a.address} ({a.interface})
                      </option>
                    ))}
                  </select>
                </label>
              )}
            </div>
          )
        )}
      </div>
    </div>
  );
}
