// The pairing capability: device tokens as a second kind of bearer token, the device registry as part
// of each user's live state, and the pairing and device routes.
import type { BridgeContext, Capability } from '../capability.js';
import { ClaimRateLimiter } from './claim-rate-limiter.js';
import { DeviceAuthenticator } from './device-authenticator.js';
import { DeviceRegistry } from './device-registry.js';
import { PairingOffers } from './pairing-offers.js';
import { pairingRoutes } from './pairing.routes.js';
import { PairingService } from './pairing.service.js';

export function pairingCapability(ctx: BridgeContext): Capability {
  const registry = new DeviceRegistry(ctx.config.dataDir);
  registry.loadSync();
  ctx.authenticators.push(new DeviceAuthenticator(registry));
  ctx.state.addSection('devices', { snapshot: (userId) => registry.list(userId), users: () => registry.list().map((d) => d.user_id) });
  registry.on('changed', (userId) => ctx.state.notify(userId));

  const pairing = new PairingService({
    registry,
    offers: new PairingOffers({ ttlMs: ctx.config.pairing.offerTtlMs }),
    limiter: new ClaimRateLimiter(ctx.config.pairing.claimsPerMinute),
    audit: ctx.audit,
    live: ctx.live,
    deviceWork: ctx.deviceWork,
    logger: ctx.logger,
    publicUrl: ctx.config.pairing.publicUrl,
    bindHost: ctx.config.host,
    addresses: ctx.lanAddresses,
  });
  return {
    name: 'pairing',
    routes: pairingRoutes(pairing),
    close: () => registry.flush(),
  };
}
