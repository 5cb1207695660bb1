// socket.io adapter for live state: a `state` right after connect, and user:watch / user:unwatch for
// owner sockets (a device always watches its own user and may not watch another).
import { WatchUserPayload, type SocketAuth } from '../contracts/socket.js';
import { UserId } from '../contracts/common.js';
import { handleEvent, userRoom, type SocketContext, type SocketModule } from '../transport/socket-server.js';
import type { UserStateService } from './user-state.service.js';

export function stateSocket(state: UserStateService): SocketModule {
  return (ctx: SocketContext) => {
    const { socket, principal } = ctx;

    socket.on(
      'user:watch',
      handleEvent(ctx, WatchUserPayload, async ({ user_id }) => {
        const user = ctx.userId(user_id);
        await socket.join(userRoom(user));
        return state.snapshot(user);
      }),
    );
    socket.on(
      'user:unwatch',
      handleEvent(ctx, WatchUserPayload, async ({ user_id }) => {
        const user = ctx.userId(user_id);
        // A device stays in its own user's room: that is where its state comes from.
        if (principal.kind === 'owner') await socket.leave(userRoom(user));
        return { user_id: user };
      }),
    );

    const initialUser = principal.kind === 'device' ? principal.userId : handshakeUser(socket.handshake.auth);
    if (initialUser === null) return;
    void (async () => {
      try {
        // Join before the snapshot: a change after this point is pushed to us as well.
        if (principal.kind === 'owner') await socket.join(userRoom(initialUser));
        socket.emit('state', await state.snapshot(initialUser));
      } catch (error) {
        ctx.log.error({ err: error }, 'could not send the initial state');
      }
    })();
  };
}

/** An owner socket may name the user to watch in its handshake (`auth.user_id`). */
function handshakeUser(auth: Partial<SocketAuth> | undefined): string | null {
  const parsed = UserId.safeParse(auth?.user_id);
  return parsed.success ? parsed.data : null;
}
