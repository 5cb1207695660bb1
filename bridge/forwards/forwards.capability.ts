// The port-forward capability as createBridge sees it: the service over the shared SSH sessions and the
// VPN plug-in's container streams, its routes, its part of the user's state, and close at shutdown.
import type { AuditLog } from '../audit/audit-log.js';
import type { AbortRegistry } from '../core/abort-registry.js';
import type { ContainerPort } from '../core/container-port.js';
import type { Logger } from '../core/logger.js';
import type { BridgeConfig } from '../config/config.js';
import type { UserStateService } from '../live/user-state.service.js';
import type { SshSessionService } from '../ssh/ssh-sessions.js';
import type { TlsService } from '../tls/tls.service.js';
import type { Capability } from '../transport/capability.js';
import type { HostCheck } from '../transport/host-check.js';
import { ForwardsService } from './forwards.service.js';
import { forwardsRoutes } from './forwards.routes.js';

export interface ForwardsCapabilityDeps {
  config: Pick<BridgeConfig, 'forwards' | 'host' | 'tls'>;
  logger: Logger;
  sessions: SshSessionService;
  containers: ContainerPort | null;
  audit: AuditLog;
  deviceWork: AbortRegistry;
  hostCheck: HostCheck;
  tls: TlsService;
  state: UserStateService;
}

export function forwardsCapability({ config, logger, sessions, containers, audit, deviceWork, hostCheck, tls, state }: ForwardsCapabilityDeps): Capability {
  const service = new ForwardsService({
    sessions,
    containers,
    audit,
    deviceWork,
    hostCheck,
    tls,
    logger: logger.child({ capability: 'forwards' }),
    listenHost: config.host,
    ports: { first: config.forwards.firstPort, last: config.forwards.lastPort },
    idleMs: config.forwards.idleMs,
    insecureLanHttp: config.tls.insecureLanHttp,
    onChange: (userId) => state.notify(userId),
  });
  state.addSection('forwards', { snapshot: (userId) => ({ forwards: service.list(userId) }), users: () => service.users() });
  sessions.on('change', (userId) => service.reconcile(userId));
  return {
    name: 'forwards',
    routes: forwardsRoutes(service),
    close: () => service.closeAll(),
  };
}
