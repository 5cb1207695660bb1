// The Slurm capability as createBridge sees it: the service on the shared SSH sessions, its routes, its
// socket adapter, and start (load the last-seen job states) / close (save them).
import type { LiveEvents } from '../core/live-events.js';
import type { Logger } from '../core/logger.js';
import type { BridgeConfig } from '../config/config.js';
import type { SshSessionService } from '../ssh/ssh-sessions.js';
import type { Capability } from '../transport/capability.js';
import { JobAlerts } from './slurm-alerts.js';
import { SlurmService } from './slurm.service.js';
import { slurmRoutes } from './slurm.routes.js';
import { slurmSocket } from './slurm.socket.js';

export interface SlurmCapabilityDeps {
  config: Pick<BridgeConfig, 'dataDir' | 'slurm'>;
  logger: Logger;
  sessions: SshSessionService;
  live: LiveEvents;
}

export function slurmCapability({ config, logger, sessions, live }: SlurmCapabilityDeps): Capability {
  const service = new SlurmService({
    sessions,
    alerts: new JobAlerts(config.dataDir),
    logger: logger.child({ capability: 'slurm' }),
    ...config.slurm,
    onAlert: (alert) => live.toUser(alert.user_id, 'alert', alert),
  });
  sessions.on('change', (userId) => service.reconcile(userId));
  return {
    name: 'slurm',
    routes: slurmRoutes(service),
    socket: slurmSocket(service),
    start: () => service.start(),
    close: () => service.close(),
  };
}
