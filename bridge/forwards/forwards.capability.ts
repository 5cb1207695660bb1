// The port-forward capability as createBridge sees it: the service over the shared SSH sessions and the
// VPN plug-in's container streams, its routes, its part of the user's state, and close at shutdown.
import type { BridgeContext, Capability } from '../capability.js';
import type { ContainerStreamOpener } from '../core/container-stream.js';
import type { HostCheck } from '../transport/host-check.js';
import { ForwardsService } from './forwards.service.js';
import { forwardsRoutes } from './forwards.routes.js';

export interface ForwardsDeps {
  containerStream: ContainerStreamOpener;
  hostCheck: HostCheck;
}

export function forwardsCapability(ctx: BridgeContext, deps: ForwardsDeps): Capability {
  const config = ctx.config.forwards;
  const service = new ForwardsService({
    sessions: ctx.sessions,
    containerStream: deps.containerStream,
    audit: ctx.audit,
    deviceWork: ctx.deviceWork,
    hostCheck: deps.hostCheck,
    tls: ctx.tls,
    logger: ctx.logger.child({ capability: 'forwards' }),
    listenHost: ctx.config.host,
    ports: { first: config.firstPort, last: config.lastPort },
    idleMs: config.idleMs,
    insecureLanHttp: ctx.config.tls.insecureLanHttp,
    onChange: (userId) => ctx.state.notify(userId),
  });
  ctx.state.addSection('forwards', { snapshot: (userId) => ({ forwards: service.list(userId) }), users: () => service.users() });
  ctx.sessions.on('change', (userId) => service.reconcile(userId));
  return {
    name: 'forwards',
    routes: forwardsRoutes(service),
    close: () => service.closeAll(),
  };
}
