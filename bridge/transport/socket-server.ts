// The socket.io server on the bridge's HTTP server: token auth at the handshake, one room per user,
// acks shaped from AppError through the same status table as HTTP. Capabilities plug in SocketModules.
import type http from 'node:http';
import { Server, type Socket } from 'socket.io';
import type { z } from 'zod';
import { AppError, isAppError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import { formatZodIssues } from '../core/zod-issues.js';
import type { LiveEventArgs, LiveEvents, SentEvent } from '../core/live-events.js';
import { assertNamesOnlyOwnUser, authenticateWith, resolveUserId, type Authenticator, type Principal } from '../core/principal.js';
import type { Ack, ClientToServerEvents, HandshakeRefusal, ServerToClientEvents } from '../contracts/socket.js';
import { GENERIC_INTERNAL_MESSAGE, HTTP_STATUS_BY_KIND } from './error-status.js';
import { socketOriginAllowed, type HostCheck } from './host-check.js';

export interface SocketData {
  principal: Principal;
  /** The address of the client, for audit lines. */
  clientAddress: string;
}

export type BridgeIo = Server<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;
export type BridgeSocket = Socket<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;

export const userRoom = (userId: string): string => `user:${userId}`;
export const OWNER_ROOM = 'owners';

export interface SocketContext {
  socket: BridgeSocket;
  principal: Principal;
  log: Logger;
  /** The user an event acts for (same rules as HTTP: devices only for their own user). */
  userId(requested: string | undefined): string;
}

/** A capability's socket adapter: registers its handlers on each new socket. */
export type SocketModule = (ctx: SocketContext) => void;

export interface SocketServerOptions {
  authenticators: readonly Authenticator[];
  logger: Logger;
  corsOrigins: readonly string[];
  hostCheck: HostCheck;
  modules: readonly SocketModule[];
}

/** socket.io sends an error's `data` to the client with connect_error; the message stays for older clients. */
function handshakeRefusal(refusal: HandshakeRefusal): Error & { data: HandshakeRefusal } {
  return Object.assign(new Error(refusal.message), { data: refusal });
}

export function createSocketServer(server: http.Server, options: SocketServerOptions): BridgeIo {
  const io: BridgeIo = new Server(server, {
    cors: options.corsOrigins.length ? { origin: [...options.corsOrigins] } : { origin: false },
    maxHttpBufferSize: 1024 * 1024,
    serveClient: false,
    // SECURITY: engine.io answers before express, so the Host check runs here too; WebSockets ignore CORS,
    // so a browser's Origin is checked here as well (no Origin: a non-browser client, which needs a token anyway).
    allowRequest: (req, callback) => {
      const host = req.headers.host;
      callback(null, options.hostCheck.allows(host) && socketOriginAllowed(req.headers.origin, host, options.corsOrigins));
    },
  });
  io.use((socket, next) => {
    const token: unknown = socket.handshake.auth?.token;
    const principal = typeof token === 'string' && token !== '' ? authenticateWith(options.authenticators, token, { clientAddress: socket.handshake.address }) : null;
    if (!principal) {
      next(handshakeRefusal({ kind: 'unauthorized', message: 'unauthorized: missing or invalid token' }));
      return;
    }
    socket.data.principal = principal;
    socket.data.clientAddress = socket.handshake.address;
    next();
  });
  io.on('connection', (socket) => {
    const { principal } = socket.data;
    const log = options.logger.child({ socket_id: socket.id, device_id: principal.kind === 'device' ? principal.deviceId : 'owner' });
    void socket.join(principal.kind === 'device' ? userRoom(principal.userId) : OWNER_ROOM);
    const ctx: SocketContext = { socket, principal, log, userId: (requested) => resolveUserId(principal, requested) };
    for (const register of options.modules) register(ctx);
  });
  return io;
}

/**
 * Wrap a client->server event handler: parse the payload with its schema, run it, answer the ack with
 * data or with the error's kind, status and detail. A throwing handler never takes the socket down.
 */
export function handleEvent<S extends z.ZodType, R>(
  ctx: SocketContext,
  schema: S,
  handler: (payload: z.output<S>) => Promise<R> | R,
): (payload: unknown, ack?: Ack<R>) => void {
  return (payload, ack) => {
    const reply: Ack<R> = typeof ack === 'function' ? ack : () => undefined;
    Promise.resolve()
      .then(() => {
        // Before parsing: another user's id is refused even where this event reads no user_id.
        assertNamesOnlyOwnUser(ctx.principal, [payload]);
        const parsed = schema.safeParse(payload ?? {});
        if (!parsed.success) {
          throw new AppError('invalid', formatZodIssues(parsed.error, 'payload'));
        }
        return handler(parsed.data);
      })
      .then(
        (data) => reply({ ok: true, data }),
        (error: unknown) => {
          const appError = isAppError(error) ? error : new AppError('internal', GENERIC_INTERNAL_MESSAGE, { cause: error });
          if (appError.kind === 'internal') ctx.log.error({ err: error }, 'socket handler failed');
          reply({
            ok: false,
            error: {
              kind: appError.kind,
              status: HTTP_STATUS_BY_KIND[appError.kind],
              detail: appError.kind === 'internal' ? GENERIC_INTERNAL_MESSAGE : appError.message,
            },
          });
        },
      );
  };
}

/**
 * Sends typed events to the sockets of one user (a device's own, and owner sockets watching that user).
 * Services get this before socket.io exists; createBridge binds it.
 */
export class LiveEmitter implements LiveEvents {
  private io: BridgeIo | null = null;
  private readonly listeners = new Set<(sent: SentEvent) => void>();

  bind(io: BridgeIo): void {
    this.io = io;
  }

  toUser<E extends keyof ServerToClientEvents>(userId: string, event: E, ...args: LiveEventArgs<E>): void {
    this.io?.to(userRoom(userId)).emit(event, ...args);
    this.tell({ event, args, userId });
  }

  /** Every owner socket (the desktop window), e.g. for a new pairing. */
  toOwners<E extends keyof ServerToClientEvents>(event: E, ...args: LiveEventArgs<E>): void {
    this.io?.to(OWNER_ROOM).emit(event, ...args);
    this.tell({ event, args, userId: null });
  }

  /** In-process listeners (the desktop app's native notifications) hear a copy of every event sent. */
  onSent(listener: (sent: SentEvent) => void): () => void {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }

  private tell(sent: SentEvent): void {
    // A failing listener never reaches the capability that sent the event.
    for (const listener of this.listeners) {
      try {
        listener(sent);
      } catch {
        // the listener logs its own failures
      }
    }
  }

  /** Disconnect sockets that match (a revoked device). */
  disconnectWhere(match: (data: SocketData) => boolean): void {
    if (!this.io) return;
    for (const socket of this.io.sockets.sockets.values()) {
      if (match(socket.data)) socket.disconnect(true);
    }
  }
}
