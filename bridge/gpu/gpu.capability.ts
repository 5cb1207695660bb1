// The GPU capability as createBridge sees it: the service on the shared SSH sessions (and the VPN module's
// containers), its routes, its socket adapter, its part of the user's state, start (load rules) / close.
import type { BridgeContext, Capability } from '../capability.js';
import { GpuAlerts } from './gpu-alerts.js';
import { GpuService } from './gpu.service.js';
import { gpuRoutes } from './gpu.routes.js';
import { gpuSocket } from './gpu.socket.js';

export function gpuCapability(ctx: BridgeContext): Capability {
  const service = new GpuService({
    sessions: ctx.sessions,
    containers: () => ctx.commands.container,
    alerts: new GpuAlerts(ctx.config.dataDir),
    logger: ctx.logger.child({ capability: 'gpu' }),
    sampleTimeoutMs: ctx.config.gpu.sampleTimeoutMs,
    onAlert: (alert) => ctx.live.toUser(alert.user_id, 'alert', alert),
    onStateChange: (userId) => ctx.state.notify(userId),
  });
  ctx.state.addSection('gpu', { snapshot: (userId) => service.watchStatus(userId), users: () => service.users() });
  ctx.sessions.on('change', (userId) => service.reconcile(userId));
  return {
    name: 'gpu',
    routes: gpuRoutes(service),
    socket: gpuSocket(service),
    start: () => service.start(),
    close: () => service.close(),
  };
}
