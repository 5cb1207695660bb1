// Wire shapes of the VPN routes (the earlier backend's contract) and of the `vpn` part of a user's live state.
import { z } from 'zod';
import { UserId } from './common.js';

export const VPN_PROTOCOLS = ['anyconnect', 'gp', 'nc', 'pulse', 'fortinet', 'array'] as const;

// Values that end up as single argv elements of openconnect: printable, no newline (the password is
// one line on stdin), bounded. Nothing here is ever spliced into a shell string.
const OneLine = (max: number) => z.string().max(max).regex(/^[^\r\n\0]*$/, 'must be one line');

export const VpnConnectBody = z
  .object({
    user_id: UserId.optional(),
    vpn_url: z
      .string()
      .min(1)
      .max(2048)
      .regex(/^[A-Za-z0-9][^\s\0]*$/, 'a server name or https:// URL without spaces')
      .optional()
      .meta({ description: 'The VPN server (host name or https:// URL); required when real is true' }),
    username: OneLine(256).optional(),
    password: OneLine(4096).optional().meta({ description: "Given to openconnect on its standard input only; never stored" }),
    real: z.boolean().default(false).meta({ description: 'true: start openconnect in the container; false: the container only' }),
    protocol: z.enum(VPN_PROTOCOLS).default('anyconnect').meta({ description: "openconnect's --protocol" }),
    servercert: z
      .string()
      .max(200)
      .regex(/^(pin-sha256:[A-Za-z0-9+/=]+|sha1:[0-9a-fA-F]{40}|sha256:[0-9a-fA-F]{64})$/, 'a pin-sha256:... (or sha1:/sha256:) server certificate pin')
      .optional()
      .meta({ description: "Passed to openconnect's --servercert: accept exactly this server certificate" }),
    authgroup: OneLine(256).optional().meta({ description: "openconnect's --authgroup" }),
    auto_reconnect: z
      .boolean()
      .default(false)
      .meta({ description: 'Reconnect with backoff when the tunnel drops; the credentials stay in memory only' }),
  })
  .meta({ id: 'VpnConnectRequest' });

export const VpnConnectResponse = z
  .object({ status: z.literal('started'), user_id: z.string(), container_id: z.string() })
  .meta({ id: 'VpnConnectResponse' });

export const VpnUserQuery = z.object({ user_id: UserId.optional() });

export const VpnTunnelState = z.enum(['up', 'connecting', 'down', 'none']);

export const VpnState = z
  .object({
    state: VpnTunnelState.meta({ description: 'none: no tunnel was asked for (no container, or real=false)' }),
    ip: z.string().nullable().meta({ description: 'The address the VPN server gave the container' }),
    server: z.string().nullable(),
    since: z.string().nullable().meta({ description: 'When the tunnel came up (ISO 8601)' }),
    reason: z.string().nullable().meta({ description: 'Why the tunnel is down' }),
    log_tail: z.array(z.string()).meta({ description: "The last lines of openconnect's log when the tunnel is down" }),
    auto_reconnect: z.boolean(),
  })
  .meta({ id: 'VpnState' });

export const VpnStatusResponse = z
  .object({
    connected: z.boolean().meta({ description: 'The container runs and its tunnel is up (or no tunnel was asked for: real=false)' }),
    container_id: z.string(),
    vpn: VpnState,
  })
  .meta({ id: 'VpnStatus' });

export const VpnDisconnectResponse = z.object({ status: z.literal('stopped') }).meta({ id: 'VpnDisconnectResponse' });

/** The `vpn` section of UserState (socket.io `state`). */
export const VpnUserState = VpnState.extend({ container_id: z.string().nullable() }).meta({ id: 'VpnUserState' });

/** The owner's view of every user's container (GET /vpn/containers). */
export const VpnContainerList = z
  .object({
    containers: z.array(
      z.object({
        user_id: z.string(),
        container_id: z.string(),
        started_at: z.string(),
        state: VpnTunnelState,
        ip: z.string().nullable(),
        server: z.string().nullable(),
      }),
    ),
  })
  .meta({ id: 'VpnContainerList' });

export type VpnConnectBody = z.infer<typeof VpnConnectBody>;
export type VpnContainerList = z.infer<typeof VpnContainerList>;
export type VpnTunnelState = z.infer<typeof VpnTunnelState>;
export type VpnState = z.infer<typeof VpnState>;
export type VpnStatusResponse = z.infer<typeof VpnStatusResponse>;
export type VpnUserState = z.infer<typeof VpnUserState>;
