// The Slurm capability as createBridge sees it: the service on the shared SSH sessions, its routes, its
// socket adapter, and start (load the last-seen job states) / close (save them).
import type { BridgeContext, Capability } from '../capability.js';
import { JobAlerts } from './slurm-alerts.js';
import { SlurmService } from './slurm.service.js';
import { slurmRoutes } from './slurm.routes.js';
import { slurmSocket } from './slurm.socket.js';

export function slurmCapability(ctx: BridgeContext): Capability {
  const service = new SlurmService({
    sessions: ctx.sessions,
    alerts: new JobAlerts(ctx.config.dataDir),
    logger: ctx.logger.child({ capability: 'slurm' }),
    ...ctx.config.slurm,
    onAlert: (alert) => ctx.live.toUser(alert.user_id, 'alert', alert),
  });
  ctx.sessions.on('change', (userId) => service.reconcile(userId));
  return {
    name: 'slurm',
    routes: slurmRoutes(service),
    socket: slurmSocket(service),
    start: () => service.start(),
    close: () => service.close(),
  };
}
