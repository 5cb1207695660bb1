// The port through which services push typed events to sockets (a user's, the owners') without knowing
// socket.io: transport's LiveEmitter implements it, services and the desktop shell take this interface.
import type { ServerToClientEvents } from '../contracts/socket.js';
import type { Principal } from './principal.js';

export type LiveEventArgs<E extends keyof ServerToClientEvents> = Parameters<ServerToClientEvents[E]>;

/** An in-process copy of a sent event: `userId` null for events sent to the owners. */
export interface SentEvent {
  event: keyof ServerToClientEvents;
  args: unknown[];
  userId: string | null;
}

export interface LiveEvents {
  /** To the sockets of one user (a device's own, and owner sockets watching that user). */
  toUser<E extends keyof ServerToClientEvents>(userId: string, event: E, ...args: LiveEventArgs<E>): void;
  /** To every owner socket (the desktop window), e.g. for a new pairing. */
  toOwners<E extends keyof ServerToClientEvents>(event: E, ...args: LiveEventArgs<E>): void;
  /** In-process listeners (the desktop app's native notifications) hear a copy of every event sent. */
  onSent(listener: (sent: SentEvent) => void): () => void;
  /** Disconnect the sockets whose caller matches (a revoked device, an ended owner session). */
  disconnectWhere(match: (data: { principal: Principal }) => boolean): void;
}
