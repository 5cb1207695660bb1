// The GPU capability as createBridge sees it: the service on the shared SSH sessions (and the users' VPN
// containers), its routes, its socket adapter, its part of the user's state, start (load rules) / close.
import type { ContainerPort } from '../core/container-port.js';
import type { LiveEvents } from '../core/live-events.js';
import type { Logger } from '../core/logger.js';
import type { BridgeConfig } from '../config/config.js';
import type { UserStateService } from '../live/user-state.service.js';
import type { SshSessionService } from '../ssh/ssh-sessions.js';
import type { Capability } from '../transport/capability.js';
import { GpuAlerts } from './gpu-alerts.js';
import { GpuService } from './gpu.service.js';
import { gpuRoutes } from './gpu.routes.js';
import { gpuSocket } from './gpu.socket.js';

export interface GpuCapabilityDeps {
  config: Pick<BridgeConfig, 'dataDir' | 'gpu'>;
  logger: Logger;
  sessions: SshSessionService;
  containers: ContainerPort | null;
  state: UserStateService;
  live: LiveEvents;
}

export function gpuCapability({ config, logger, sessions, containers, state, live }: GpuCapabilityDeps): Capability {
  const service = new GpuService({
    sessions,
    containers,
    alerts: new GpuAlerts(config.dataDir),
    logger: logger.child({ capability: 'gpu' }),
    sampleTimeoutMs: config.gpu.sampleTimeoutMs,
    onAlert: (alert) => live.toUser(alert.user_id, 'alert', alert),
    onStateChange: (userId) => state.notify(userId),
  });
  state.addSection('gpu', { snapshot: (userId) => service.watchStatus(userId), users: () => service.users() });
  sessions.on('change', (userId) => service.reconcile(userId));
  return {
    name: 'gpu',
    routes: gpuRoutes(service),
    socket: gpuSocket(service),
    start: () => service.start(),
    close: () => service.close(),
  };
}
