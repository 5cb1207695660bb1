// The live capability: every user's `state`, pushed to their sockets on each change and on connect, and
// the owner's overview of all users (GET /api/overview and the `overview` event to owner sockets).
import { liveEndpoints } from '../contracts/live.endpoints.js';
import type { LiveEvents } from '../core/live-events.js';
import type { Logger } from '../core/logger.js';
import type { PtyTerminalService } from '../terminal/pty-terminals.service.js';
import type { Capability } from '../transport/capability.js';
import { defineRoute } from '../transport/route.js';
import type { SocketContext } from '../transport/socket-server.js';
import { OverviewService } from './overview.service.js';
import { StatePublisher } from './state-publisher.js';
import { stateSocket } from './state.socket.js';
import type { UserStateService } from './user-state.service.js';

export interface LiveCapabilityDeps {
  state: UserStateService;
  live: LiveEvents;
  terminals: PtyTerminalService;
  logger: Logger;
}

export function liveCapability({ state, live, terminals, logger }: LiveCapabilityDeps): Capability {
  const publisher = new StatePublisher(state, live, logger);
  const overview = new OverviewService(state, terminals, live, logger);
  const states = stateSocket(state);
  return {
    name: 'live',
    routes: [
      defineRoute(liveEndpoints.overview, {
        tag: 'live',
        summary: "Every user the bridge knows, with sessions, VPN container, devices, terminals and GPU watches (owner only)",
        description: 'The same document is pushed to owner sockets as the `overview` event on connect and on every change.',
        auth: 'owner',
        errors: [403],
        handler: () => overview.snapshot(),
      }),
    ],
    socket: (socketCtx: SocketContext) => {
      states(socketCtx);
      if (socketCtx.principal.kind !== 'owner') return;
      overview.snapshot().then(
        (document) => socketCtx.socket.emit('overview', document),
        (error: unknown) => socketCtx.log.error({ err: error }, 'could not send the overview'),
      );
    },
    close: async () => {
      publisher.stop();
      overview.stop();
    },
  };
}
