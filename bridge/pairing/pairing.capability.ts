// The pairing capability: the device registry (built by the composition root, whose device tokens are
// its second kind of bearer token) as part of each user's live state, and the pairing and device routes.
import type { AuditLog } from '../audit/audit-log.js';
import type { AbortRegistry } from '../core/abort-registry.js';
import type { LiveEvents } from '../core/live-events.js';
import type { Logger } from '../core/logger.js';
import type { BridgeConfig } from '../config/config.js';
import type { UserStateService } from '../live/user-state.service.js';
import type { InterfaceAddress } from '../tls/lan-addresses.js';
import type { Capability } from '../transport/capability.js';
import { ClaimRateLimiter } from './claim-rate-limiter.js';
import type { DeviceRegistry } from './device-registry.js';
import { PairingOffers } from './pairing-offers.js';
import { pairingRoutes } from './pairing.routes.js';
import { PairingService } from './pairing.service.js';

export interface PairingCapabilityDeps {
  registry: DeviceRegistry;
  config: Pick<BridgeConfig, 'pairing' | 'host'>;
  logger: Logger;
  state: UserStateService;
  live: LiveEvents;
  audit: AuditLog;
  deviceWork: AbortRegistry;
  lanAddresses: () => InterfaceAddress[];
}

export function pairingCapability({ registry, config, logger, state, live, audit, deviceWork, lanAddresses }: PairingCapabilityDeps): Capability {
  state.addSection('devices', { snapshot: (userId) => registry.list(userId), users: () => registry.list().map((d) => d.user_id) });
  registry.on('changed', (userId) => state.notify(userId));

  const pairing = new PairingService({
    registry,
    offers: new PairingOffers({ ttlMs: config.pairing.offerTtlMs }),
    limiter: new ClaimRateLimiter(config.pairing.claimsPerMinute),
    audit,
    live,
    deviceWork,
    logger,
    publicUrl: config.pairing.publicUrl,
    bindHost: config.host,
    addresses: lanAddresses,
  });
  return {
    name: 'pairing',
    routes: pairingRoutes(pairing),
    close: () => registry.flush(),
  };
}
