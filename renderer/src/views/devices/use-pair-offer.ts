// A pairing offer for one user: created on the bridge (again on demand, or for another LAN address), the
// addresses a phone could use, and the claim when the bridge says the offer was taken (socket `pair:claimed`).
import { useCallback, useEffect, useState } from 'react';
import type { LanAddress, PairOfferResponse } from '../../../../bridge/contracts/pairing';
import type { PairClaimed } from '../../../../bridge/contracts/socket';
import { useApp } from '../../app/app-context';
import { errorText } from '../../ui/format';
import { endpoints } from '../../../../bridge/contracts/endpoints';

export function usePairOffer(userId: string) {
  const { api, socket } = useApp();
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

  return { offer, error, claimed, addresses, address, setAddress, create };
}
