// Wire shapes of port forwards (a web app on the cluster served on a bridge port of its own). zod only:
// the renderer imports these too.
import { z } from 'zod';
import { SessionId, UserId } from './common.js';

/** Forwards one user may hold at once. */
export const FORWARDS_MAX_PER_USER = 10;

/** Presets the UI offers; any port works. */
export const FORWARD_PRESETS = [
  { name: 'TensorBoard', remote_port: 6006 },
  { name: 'Jupyter', remote_port: 8888 },
] as const;

// The same characters socat and ssh2 take for a host: a name, an IPv4 or an IPv6 literal.
const RemoteHost = z.string().min(1).max(253).regex(/^[A-Za-z0-9.-]+$|^\[?[0-9A-Fa-f:.]+\]?$/, 'a host name or IP address');

export const ForwardId = z.string().regex(/^[a-f0-9]{16}$/, 'a forward id');

export const ForwardBody = z.object({
  user_id: UserId.optional(),
  session_id: SessionId.optional().meta({ description: 'The SSH session to forward through; default: the user\'s default or newest, else the VPN container' }),
  remote_host: RemoteHost.default('127.0.0.1').meta({ description: 'As seen from the session\'s host (a compute node\'s name works too)' }),
  remote_port: z.number().int().min(1).max(65535),
  name: z.string().min(1).max(64).refine((v) => ![...v].some((c) => c.charCodeAt(0) < 32), 'no control characters').optional(),
});

export const Forward = z
  .object({
    forward_id: ForwardId,
    user_id: z.string(),
    name: z.string(),
    via: z.enum(['ssh', 'container']).meta({ description: 'Through an SSH session (direct-tcpip) or the user\'s VPN container (socat)' }),
    session_id: z.string().nullable(),
    remote_host: z.string(),
    remote_port: z.number().int(),
    port: z.number().int().meta({ description: 'The bridge port that serves this forward (its own origin)' }),
    opened_at: z.string(),
    last_used_at: z.string(),
    bytes_in: z.number().int().meta({ description: 'Bytes from the phone to the app' }),
    bytes_out: z.number().int().meta({ description: 'Bytes from the app to the phone' }),
    connections: z.number().int().meta({ description: 'Upstream connections open now (WebSockets included)' }),
  })
  .meta({ id: 'Forward' });
export type Forward = z.infer<typeof Forward>;

export const ForwardOpened = Forward.extend({
  url: z.string().meta({ description: 'Where the forward is served (opening it needs a link from POST /api/forwards/{id}/link)' }),
}).meta({ id: 'ForwardOpened' });

export const ForwardsQuery = z.object({ user_id: UserId.optional() });
export const ForwardsList = z.object({ forwards: z.array(Forward) }).meta({ id: 'ForwardsList' });
export const ForwardParams = z.object({ id: ForwardId });

export const ForwardLink = z
  .object({
    url: z.string().meta({ description: 'Open once in the browser: sets a cookie for this forward and this device, then shows the app' }),
    expires_at: z.string(),
  })
  .meta({ id: 'ForwardLink' });

export const ForwardClosed = z.object({ forward_id: ForwardId, closed: z.literal(true) }).meta({ id: 'ForwardClosed' });

/** The user's state section `forwards`. */
export const ForwardsState = z.object({ forwards: z.array(Forward) });
