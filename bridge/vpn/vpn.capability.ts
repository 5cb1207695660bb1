// The VPN capability: on the container side built first (container-side.ts), its routes and socket
// adapter, its part of the user's state, firewall refreshes and health checks, and adopting running
// containers once the bridge listens.
import type { AuditLog } from '../audit/audit-log.js';
import type { LiveEvents } from '../core/live-events.js';
import type { Logger } from '../core/logger.js';
import type { BridgeConfig } from '../config/config.js';
import type { UserStateService } from '../live/user-state.service.js';
import type { Capability } from '../transport/capability.js';
import type { ContainerSide } from './container-side.js';
import { FirewallRefresher } from './firewall-refresh.js';
import { VpnHealthWatcher } from './vpn-health.js';
import { vpnRoutes } from './vpn.routes.js';
import { vpnSocket } from './vpn.socket.js';

export interface VpnCapabilityDeps {
  containers: ContainerSide;
  config: BridgeConfig['vpn'];
  logger: Logger;
  state: UserStateService;
  live: LiveEvents;
  audit: AuditLog;
}

export function vpnCapability({ containers, config, logger, state, live, audit }: VpnCapabilityDeps): Capability {
  const { service, driver, prompts } = containers;
  const firewalls = new FirewallRefresher(
    { containers: () => new Map(service.users().map((userId) => [userId, service.containerFor(userId) ?? ''])) },
    driver,
    logger,
  );
  const health = new VpnHealthWatcher(service, config.healthIntervalMs, logger);

  state.addSection('vpn', { snapshot: (userId) => service.snapshot(userId), users: () => service.users() });
  service.on('change', (userId) => state.notify(userId));
  service.on('change', () => firewalls.check());
  prompts.on('prompt', (userId, prompt) => {
    // Which questions a login asked and when they went (never the answers): what a stuck login is read from.
    if (prompt) logger.info({ event: 'vpn.prompt', user_id: userId, fields: prompt.fields.map((field) => field.name), reconnect: prompt.reconnect }, 'vpn login asks the user');
    else logger.info({ event: 'vpn.prompt_closed', user_id: userId }, 'vpn login question answered or abandoned');
    live.toUser(userId, 'vpn:prompt', { user_id: userId, prompt });
    state.notify(userId);
  });

  return {
    name: 'vpn',
    routes: vpnRoutes(service, prompts, audit),
    socket: vpnSocket(prompts),
    start: async () => {
      // Docker may be down at start; the bridge still serves everything else and VPN calls say why.
      await service.adopt().catch((error: unknown) => logger.warn({ event: 'vpn.adopt_failed', err: error }, 'could not adopt VPN containers'));
      await firewalls.refreshAll();
      health.start();
    },
    close: async () => {
      service.close();
      await health.stop();
    },
  };
}
