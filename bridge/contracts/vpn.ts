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
    wait: z.boolean().default(true).meta({
      description:
        'true: answer once the tunnel is up or the login failed. false: answer as soon as the container runs, with ' +
        'state "authenticating"; login forms then arrive as vpn:prompt events and the outcome in the live state',
    }),
  })
  .meta({ id: 'VpnConnectRequest' });

export const VpnConnectResponse = z
  .object({
    status: z.literal('started'),
    user_id: z.string(),
    container_id: z.string(),
    state: z.literal('authenticating').optional().meta({ description: 'Only with wait: false: the login goes on' }),
  })
  .meta({ id: 'VpnConnectResponse' });

export const VpnUserQuery = z.object({ user_id: UserId.optional() });

export const VpnTunnelState = z.enum(['up', 'connecting', 'authenticating', 'needs_answer', 'down', 'none']);

/** One field of a login form the VPN server sent, as openconnect asked for it. */
export const VpnPromptField = z.object({
  name: z.string().meta({ description: 'The key of this field in answers' }),
  label: z.string(),
  type: z.enum(['text', 'password', 'select']),
  options: z.array(z.object({ value: z.string(), label: z.string() })).meta({ description: 'The choices of a select' }),
  one_time_code: z.boolean().meta({ description: 'The server asks for a one-time code (a numeric keypad suits it)' }),
});

/** A login form waiting for the user's answer (vpn:prompt, GET /vpn/prompt). */
export const VpnPrompt = z
  .object({
    prompt_id: z.string(),
    user_id: z.string(),
    server: z.string(),
    title: z.string(),
    message: z.string().nullable().meta({ description: "The server's own words with the form (e.g. which code it wants)" }),
    fields: z.array(VpnPromptField),
    expires_at: z.string().meta({ description: 'After this (ISO 8601) the login is abandoned' }),
    reconnect: z.boolean().meta({ description: 'Asked by an auto-reconnect rather than a connect' }),
  })
  .meta({ id: 'VpnPrompt' });

export const VpnPromptResponse = z.object({ prompt: VpnPrompt.nullable() }).meta({ id: 'VpnPromptResponse' });

export const VpnPromptAnswerBody = z
  .object({
    user_id: UserId.optional(),
    prompt_id: z.string().min(1).max(64),
    answers: z.record(z.string().max(128), OneLine(1024)).meta({ description: 'Field name -> value (a select: the option value)' }),
  })
  .meta({ id: 'VpnPromptAnswer' });

export const VpnPromptAnswerResponse = z.object({ status: z.literal('answered') }).meta({ id: 'VpnPromptAnswerResponse' });

/** socket.io `vpn:prompt`: the user's prompt, or null once it was answered, abandoned or expired. */
export interface VpnPromptEvent {
  user_id: string;
  prompt: VpnPrompt | null;
}

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
export const VpnUserState = VpnState.extend({
  container_id: z.string().nullable(),
  prompt: VpnPrompt.nullable().meta({ description: 'The login form waiting for an answer, if any' }),
}).meta({ id: 'VpnUserState' });

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
export type VpnPromptField = z.infer<typeof VpnPromptField>;
export type VpnPrompt = z.infer<typeof VpnPrompt>;
export type VpnPromptAnswerBody = z.infer<typeof VpnPromptAnswerBody>;
