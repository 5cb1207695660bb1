// "Pair a phone": shows the pairing offer's QR code and countdown, and closes with the new device's name
// when the bridge says the offer was claimed.
import type { LanAddress, PairOfferResponse } from '../../../../bridge/contracts/pairing';
import type { PairClaimed } from '../../../../bridge/contracts/socket';
import { useNow } from '../../app/use-now';
import { Dialog } from '../../ui/dialog';
import { Icon } from '../../ui/icons';
import { Banner, Button, Loading } from '../../ui/kit';
import { usePairOffer } from './use-pair-offer';

function countdown(ms: number): string {
  const seconds = Math.max(0, Math.ceil(ms / 1000));
  return `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, '0')}`;
}

function Paired({ claimed, onClose }: { claimed: PairClaimed; onClose(): void }) {
  return (
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
  );
}

function AddressPicker({ addresses, address, onChange }: { addresses: LanAddress[]; address: string | undefined; onChange(address: string): void }) {
  return (
    <label className="picker">
      <span>Address the phone uses</span>
      <select value={address ?? addresses[0]?.address} onChange={(e) => onChange(e.target.value)}>
        {addresses.map((a) => (
          <option key={a.address} value={a.address}>
            {a.address} ({a.interface})
          </option>
        ))}
      </select>
    </label>
  );
}

function OfferCode({ offer, onRenew }: { offer: PairOfferResponse; onRenew(): void }) {
  const now = useNow(250);
  const left = Date.parse(offer.expires_at) - now;
  const expired = left <= 0;
  const fraction = Math.max(0, Math.min(1, left / (offer.expires_in * 1000)));
  return (
    <>
      <div className={`qr-frame${expired ? ' expired' : ''}`}>
        <img className="qr" src={offer.qr_png} alt="Pairing QR code" data-testid="pair-qr" />
        {expired && (
          <div className="qr-expired">
            <strong>Code expired</strong>
            <Button variant="primary" icon="refresh" onClick={onRenew}>
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
    </>
  );
}

export function PairDialog({ userId, onClose }: { userId: string; onClose(): void }) {
  const { offer, error, claimed, addresses, address, setAddress, create } = usePairOffer(userId);
  return (
    <Dialog title="Pair a phone" onClose={onClose}>
      {error && <Banner title="Could not create a pairing code">{error}</Banner>}
      {!offer && !error && <Loading label="Creating a one-time code…" />}
      {claimed ? (
        <Paired claimed={claimed} onClose={onClose} />
      ) : (
        offer && (
          <div className="pair-offer">
            <p className="muted">
              Scan with the phone’s camera, on the same network as this computer. The phone will act for <strong>{offer.user_id}</strong>.
            </p>
            <OfferCode offer={offer} onRenew={() => void create()} />
            <code className="pair-url" title="The secret after # never reaches a server log">
              {offer.url.replace(/#.*/, '#…')}
            </code>
            {addresses.length > 1 && <AddressPicker addresses={addresses} address={address} onChange={setAddress} />}
          </div>
        )
      )}
    </Dialog>
  );
}
