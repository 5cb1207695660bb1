// socket.io event names and payloads, typed once: the bridge and the renderer both import these maps.
// Capabilities add their events here (state, terminals, GPUs, alerts) rather than as loose strings.
import { z } from 'zod';
import { SshSessionListing } from './ssh.js';

/** Every client->server event answers through an ack with this shape. */
export type AckResult<T> = { ok: true; data: T } | { ok: false; error: { kind: string; status: number; detail: string } };
export type Ack<T> = (result: AckResult<T>) => void;

/** The user's full picture, pushed on every change so a phone never polls. */
export const UserState = z
  .object({
    user_id: z.string(),
    ssh: z.object({ sessions: z.array(SshSessionListing) }),
  })
  .meta({ id: 'UserState' });
export type UserState = z.infer<typeof UserState>;

export const WatchUserPayload = z.object({ user_id: z.string() });

export interface ServerToClientEvents {
  state: (state: UserState) => void;
}

export interface ClientToServerEvents {
  /** Owner sockets: also receive this user's `state` (and other per-user events). */
  'user:watch': (payload: z.input<typeof WatchUserPayload>, ack: Ack<UserState>) => void;
}
