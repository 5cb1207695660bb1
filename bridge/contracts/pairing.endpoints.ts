// The pairing endpoints: offers, LAN addresses, a phone's claim, and the device list.
import { defineEndpoint } from './endpoint.js';
import {
  DeviceIdParams,
  DeviceRevokeResponse,
  DevicesQuery,
  DevicesResponse,
  PairAddressesResponse,
  PairClaimBody,
  PairClaimResponse,
  PairOfferBody,
  PairOfferResponse,
} from './pairing.js';

export const pairingEndpoints = {
  offer: defineEndpoint({ method: 'post', path: '/api/pair/offer', body: PairOfferBody, response: PairOfferResponse }),
  addresses: defineEndpoint({ method: 'get', path: '/api/pair/addresses', response: PairAddressesResponse }),
  claim: defineEndpoint({ method: 'post', path: '/api/pair/claim', body: PairClaimBody, response: PairClaimResponse }),
  devices: defineEndpoint({ method: 'get', path: '/api/devices', query: DevicesQuery, response: DevicesResponse }),
  revokeDevice: defineEndpoint({ method: 'delete', path: '/api/devices/:id', params: DeviceIdParams, response: DeviceRevokeResponse }),
};
