// What a capability (vpn/, pairing/, gpu/, ...) hands to createBridge: its HTTP routes, its socket.io
// adapter, and its lifecycle hooks. The composition root lists the capabilities in order; nothing else wires them.
import type { AnyRoute } from './route.js';
import type { SocketModule } from './socket-server.js';

export interface Capability {
  name: string;
  routes?: AnyRoute[];
  socket?: SocketModule;
  /** After the server listens (adopt containers, start pollers). */
  start?(): Promise<void>;
  /** At shutdown, before SSH sessions close and state is saved. */
  close?(): Promise<void>;
}
