// The socket.io side of the bridge: one connection per signed-in UI, token in the handshake, the user's
// `state` pushed by the bridge (never polled), and revocation noticed the moment the bridge drops us.
import { io, type Socket } from 'socket.io-client';
import type { Overview } from '../../../bridge/contracts/overview';
import type { AckResult, ClientToServerEvents, HandshakeRefusal, ServerToClientEvents, UserState } from '../../../bridge/contracts/socket';

export type LiveSocket = Socket<ServerToClientEvents, ClientToServerEvents>;
export type LiveStatus = 'connecting' | 'online' | 'offline';

export interface LiveCallbacks {
  onStatus(status: LiveStatus): void;
  onState(state: UserState): void;
  /** Owner sockets: every known user, on connect and on each change. */
  onOverview(overview: Overview): void;
  /** The bridge refused our token (revoked or wrong): sign out. */
  onUnauthorized(detail: string): void;
}

/** A handshake the bridge refused for its token: connect_error's `data` says why, by kind. */
const refusedToken = (error: Error): boolean => (error as Error & { data?: Partial<HandshakeRefusal> }).data?.kind === 'unauthorized';

export function openLiveSocket(token: string, watchUser: string | null, callbacks: LiveCallbacks): LiveSocket {
  const socket: LiveSocket = io({ auth: { token }, transports: ['websocket'], reconnectionDelayMax: 5_000 });
  const watch = (): void => {
    if (!watchUser) return;
    // The owner's socket sits in the owners' room; it asks for one user's events explicitly.
    socket.emit('user:watch', { user_id: watchUser }, (result: AckResult<UserState>) => {
      if (result.ok) callbacks.onState(result.data);
    });
  };
  callbacks.onStatus('connecting');
  socket.on('connect', () => {
    callbacks.onStatus('online');
    watch();
  });
  socket.on('state', (state) => callbacks.onState(state));
  socket.on('overview', (overview) => callbacks.onOverview(overview));
  socket.on('connect_error', (error) => {
    if (refusedToken(error)) {
      socket.disconnect();
      callbacks.onUnauthorized('This device is no longer paired with the workstation.');
      return;
    }
    callbacks.onStatus('offline');
  });
  socket.on('disconnect', (reason) => {
    callbacks.onStatus('offline');
    // The bridge cut us off on purpose (a revoked device): reconnect once, and the handshake tells us why.
    if (reason === 'io server disconnect') socket.connect();
  });
  return socket;
}

/** emit with an ack, as a promise that rejects with the ack's detail. */
export function request<T>(socket: LiveSocket, emit: (ack: (result: AckResult<T>) => void) => void, timeoutMs = 15_000): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    if (!socket.connected) {
      reject(new Error('Not connected to the bridge: waiting to reconnect.'));
      return;
    }
    const timer = setTimeout(() => reject(new Error('The bridge did not answer in time.')), timeoutMs);
    emit((result) => {
      clearTimeout(timer);
      if (result.ok) resolve(result.data);
      else reject(new Error(result.error.detail));
    });
  });
}
