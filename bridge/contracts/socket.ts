// socket.io event names and payloads, typed once: the bridge and the renderer both import these maps.
// Capabilities add their events here (state, terminals, GPUs, alerts) rather than as loose strings.
import { z } from 'zod';
import { UserId } from './common.js';
import { GpuUnwatchPayload, GpuWatchPayload, GpuWatchStatus, type FiredAlert, type GpuSnapshot, type GpuUnwatchAck, type GpuWatchAck } from './gpu.js';
import type { Overview } from './overview.js';
import { DeviceListing } from './pairing.js';
import {
  JobFollowPayload,
  JobsWatchPayload,
  JobUnfollowPayload,
  type JobAlert,
  type JobFollowAck,
  type JobOutputEndEvent,
  type JobOutputEvent,
  type JobsWatchAck,
  type SlurmJobsResponse,
} from './slurm.js';
import { SshSessionListing } from './ssh.js';
import { TermClosePayload, TermInputPayload, TermOpenPayload, TermResizePayload, type TermData, type TermExit, type TermOpened } from './terminal.js';
import { VpnPromptAnswerBody, VpnUserState, type VpnPromptEvent } from './vpn.js';
import { ForwardsState } from './forwards.js';

/**
 * Why the bridge refused a socket's handshake, sent as connect_error's `data`: clients decide on `kind`.
 * unauthorized: no token, or one the bridge does not know (wrong, expired, or a revoked device's: once a
 * device is removed its token cannot be told from a wrong one). The error's message stays
 * 'unauthorized: missing or invalid token' for clients that read it.
 */
export interface HandshakeRefusal {
  kind: 'unauthorized';
  message: string;
}

/** Every client->server event answers through an ack with this shape. */
export type AckResult<T> = { ok: true; data: T } | { ok: false; error: { kind: string; status: number; detail: string } };
export type Ack<T> = (result: AckResult<T>) => void;

/** The user's full picture, pushed on every change so a phone never polls. */
export const UserState = z
  .object({
    user_id: z.string(),
    ssh: z.object({ sessions: z.array(SshSessionListing) }),
    devices: z.array(DeviceListing).meta({ description: "The user's paired devices" }),
    vpn: VpnUserState,
    gpu: GpuWatchStatus,
    forwards: ForwardsState,
  })
  .meta({ id: 'UserState' });
export type UserState = z.infer<typeof UserState>;

/**
 * The handshake's `auth`: the bearer token, and for owner sockets optionally the user to watch from the
 * start (that user's `state` follows at once, as for a device).
 */
export interface SocketAuth {
  token: string;
  user_id?: string;
}

export const WatchUserPayload = z.object({ user_id: UserId });

/** To owner sockets: a pairing offer was claimed (the desktop closes its QR dialog). */
export interface PairClaimed {
  offer_id: string;
  device: DeviceListing;
}

export interface ServerToClientEvents {
  state: (state: UserState) => void;
  /** Terminal output; ack each chunk once taken (flow control, see TermData). */
  'term:data': (payload: TermData, ack: () => void) => void;
  'term:exit': (payload: TermExit) => void;
  'pair:claimed': (payload: PairClaimed) => void;
  /** A GPU sample of a session this socket watches (gpu:watch). */
  gpu: (snapshot: GpuSnapshot) => void;
  /** A VPN login form waiting for this user's answer, or null once it is gone (to all of the user's sockets). */
  'vpn:prompt': (payload: VpnPromptEvent) => void;
  /** To owner sockets: every known user's picture, on connect and on every change (GET /api/overview). */
  overview: (overview: Overview) => void;
  /** A GPU alert rule fired, or a Slurm job changed state (to all of the user's sockets); `type` tells which. */
  alert: (alert: AnyAlert) => void;
  /** A watched session's job list changed (jobs:watch). */
  jobs: (jobs: SlurmJobsResponse) => void;
  /** New output of a followed job (job:follow). */
  'job:output': (event: JobOutputEvent) => void;
  /** A follow ended: the job ended, the file went, or the session dropped. */
  'job:output:end': (event: JobOutputEndEvent) => void;
}

/** What the `alert` event carries: GPU alerts (type "gpu", unchanged) and job alerts (type "slurm"). */
export type AnyAlert = FiredAlert | JobAlert;

export interface ClientToServerEvents {
  /** Owner sockets: also receive this user's `state` (and other per-user events). */
  'user:watch': (payload: z.input<typeof WatchUserPayload>, ack: Ack<UserState>) => void;
  'user:unwatch': (payload: z.input<typeof WatchUserPayload>, ack: Ack<{ user_id: string }>) => void;
  /** A PTY shell on an SSH session (or in the user's container); at most 8 per user. */
  'term:open': (payload: z.input<typeof TermOpenPayload>, ack: Ack<TermOpened>) => void;
  /** Keystrokes; the ack is optional (send one to hear about an unknown terminal). */
  'term:input': (payload: z.input<typeof TermInputPayload>, ack?: Ack<null>) => void;
  'term:resize': (payload: z.input<typeof TermResizePayload>, ack?: Ack<null>) => void;
  'term:close': (payload: z.input<typeof TermClosePayload>, ack?: Ack<null>) => void;
  /** Sample a session's GPUs every interval_ms (default 2000, min 500) and send them as `gpu` events. */
  'gpu:watch': (payload: z.input<typeof GpuWatchPayload>, ack?: Ack<GpuWatchAck>) => void;
  'gpu:unwatch': (payload: z.input<typeof GpuUnwatchPayload>, ack?: Ack<GpuUnwatchAck>) => void;
  /** Answer the VPN login prompt (as POST /vpn/prompt/answer). */
  'vpn:answer': (payload: z.input<typeof VpnPromptAnswerBody>, ack?: Ack<{ status: 'answered' }>) => void;
  /** Read a session's Slurm jobs once per interval and send them as `jobs` events when they change. */
  'jobs:watch': (payload: z.input<typeof JobsWatchPayload>, ack?: Ack<JobsWatchAck>) => void;
  'jobs:unwatch': (payload: z.input<typeof JobsUnwatchPayload>, ack?: Ack<{ user_id: string; unwatched: string[] }>) => void;
  /** Stream a job's output file as it grows (`job:output`), until the job ends (`job:output:end`). */
  'job:follow': (payload: z.input<typeof JobFollowPayload>, ack?: Ack<JobFollowAck>) => void;
  'job:unfollow': (payload: z.input<typeof JobUnfollowPayload>, ack?: Ack<{ unfollowed: string[] }>) => void;
}

export const JobsUnwatchPayload = WatchUserPayload.partial();

/**
 * The payload schema of every client->server event (handlers parse with these; the authz test walks
 * them, so a new event must be listed here or the build fails).
 */
export const CLIENT_EVENT_PAYLOADS = {
  'user:watch': WatchUserPayload,
  'user:unwatch': WatchUserPayload,
  'term:open': TermOpenPayload,
  'term:input': TermInputPayload,
  'term:resize': TermResizePayload,
  'term:close': TermClosePayload,
  'gpu:watch': GpuWatchPayload,
  'gpu:unwatch': GpuUnwatchPayload,
  'vpn:answer': VpnPromptAnswerBody,
  'jobs:watch': JobsWatchPayload,
  'jobs:unwatch': JobsUnwatchPayload,
  'job:follow': JobFollowPayload,
  'job:unfollow': JobUnfollowPayload,
} as const satisfies { [E in keyof ClientToServerEvents]: z.ZodType };
