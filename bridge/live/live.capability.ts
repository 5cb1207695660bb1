// The live capability: every user's `state`, pushed to their sockets on each change and on connect.
import type { BridgeContext, Capability } from '../capability.js';
import { StatePublisher } from './state-publisher.js';
import { stateSocket } from './state.socket.js';

export function liveCapability(ctx: BridgeContext): Capability {
  const publisher = new StatePublisher(ctx.state, ctx.live, ctx.logger);
  return {
    name: 'live',
    socket: stateSocket(ctx.state),
    close: async () => publisher.stop(),
  };
}
