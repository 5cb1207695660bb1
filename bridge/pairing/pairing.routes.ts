// HTTP adapter for pairing and devices: offers and addresses (owner), claims (no token), listing and revoking.
import { pairingEndpoints } from '../contracts/pairing.endpoints.js';
import { AppError } from '../core/errors.js';
import { isPrivateTransport } from '../tls/trust.handler.js';
import { defineRoute, type AnyRoute } from '../transport/route.js';
import type { PairingService } from './pairing.service.js';

export function pairingRoutes(pairing: PairingService): AnyRoute[] {
  return [
    defineRoute(pairingEndpoints.offer, {
      tag: 'pairing',
      summary: 'Make a pairing offer: a one-time URL and QR code for a phone (owner only)',
      description: 'The secret is valid once, for PAIR_OFFER_TTL_SECONDS (120 s by default), and binds the device to user_id.',
      auth: 'owner',
      errors: [403],
      handler: ({ body, req, principal, clientAddress }) =>
        pairing.offer({
          userId: body.user_id,
          deviceName: body.device_name ?? null,
          address: body.address,
          local: { port: req.socket.localPort ?? 0, address: req.socket.localAddress ?? '127.0.0.1' },
          source: { principal, clientAddress },
        }),
    }),
    defineRoute(pairingEndpoints.addresses, {
      tag: 'pairing',
      summary: "This machine's LAN addresses for pairing URLs (owner only)",
      auth: 'owner',
      errors: [403],
      handler: ({ req }) => pairing.addresses(req.socket.localPort ?? 0),
    }),
    defineRoute(pairingEndpoints.claim, {
      tag: 'pairing',
      summary: 'Claim a pairing offer with its secret: answers a device token, once',
      description: 'No token needed. An unknown, expired or used secret is 401 with `reason`. Rate limited per client address (429 + Retry-After).',
      auth: 'none',
      errors: [401, 403, 429],
      handler: ({ body, clientAddress, req }) => {
        // A device token never travels in the clear: plain HTTP from the LAN (VIGILINK_INSECURE_LAN_HTTP) cannot claim.
        if (!isPrivateTransport(req)) throw new AppError('forbidden', 'Pairing works only over HTTPS: open the https:// pairing link');
        return pairing.claim(body.secret, body.device_name, clientAddress);
      },
    }),
    defineRoute(pairingEndpoints.devices, {
      tag: 'pairing',
      summary: 'List paired devices: the owner sees all (or one user’s), a device its own user’s',
      errors: [403],
      handler: ({ query, principal, userId }) => ({
        devices: pairing.list(principal?.kind === 'owner' && query.user_id === undefined ? undefined : userId(query.user_id)),
      }),
    }),
    defineRoute(pairingEndpoints.revokeDevice, {
      tag: 'pairing',
      summary: 'Revoke a paired device: its token stops working and its sockets are closed at once',
      description: 'A device may revoke devices of its own user (itself included); the owner any.',
      errors: [403, 404],
      handler: async ({ params, userId, principal, clientAddress }) => {
        const device = await pairing.revoke(params.id, (user) => userId(user), { principal, clientAddress });
        return { revoked: true as const, id: device.id, user_id: device.user_id };
      },
    }),
  ];
}
