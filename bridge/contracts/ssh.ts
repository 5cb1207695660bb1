// Wire shapes of the SSH routes (the earlier backend's contract) and of command runs.
import { z } from 'zod';
import { SessionId, sshText, UserId } from './common.js';

const Hostname = z.string().min(1).max(253).regex(/^[A-Za-z0-9._:[\]-]+$/, 'a host name or IP address');
const Port = z.coerce.number().int().min(1).max(65535);
const Secret = sshText(64 * 1024);
const Username = sshText(1024).min(1).max(128);

export const JumpHostBody = z
  .object({
    hostname: Hostname,
    port: Port.default(22),
    username: Username,
    password: Secret.optional(),
    private_key: Secret.optional(),
    passphrase: Secret.optional(),
  })
  .meta({ id: 'JumpHost', description: 'A jump host (bastion) the session goes through' });

export const SshConnectQuery = z.object({ session_id: SessionId.default('default') });

export const SshConnectBody = z
  .object({
    user_id: UserId.optional(),
    hostname: Hostname,
    username: Username,
    password: Secret.optional(),
    port: Port.default(22),
    private_key: Secret.optional().meta({ description: 'OpenSSH or PEM private key text, instead of password' }),
    passphrase: Secret.optional(),
    jump: JumpHostBody.optional(),
  })
  .meta({ id: 'SshConnectRequest' });

export const SshConnectResponse = z
  .object({
    connected: z.literal(true),
    user_id: z.string(),
    session_id: z.string(),
    hostname: z.string(),
    port: z.number(),
    host_key_fingerprint: z.string(),
  })
  .meta({ id: 'SshConnectResponse' });

export const UserQuery = z.object({ user_id: UserId.optional() });

export const SshSessionListing = z
  .object({
    session_id: z.string(),
    hostname: z.string(),
    username: z.string(),
    port: z.number(),
    active: z.boolean(),
    connected_at: z.string(),
    reason: z.string().nullable().meta({ description: 'Why an inactive session dropped' }),
    via_jump: z.string().nullable(),
  })
  .meta({ id: 'SshSession' });

export const SshStatusResponse = z
  .object({
    connected: z.boolean(),
    user_id: z.string(),
    count: z.number(),
    sessions: z.array(SshSessionListing),
  })
  .meta({ id: 'SshStatus' });

export const SshDisconnectQuery = z.object({ user_id: UserId.optional(), session_id: SessionId.default('default') });

export const SshDisconnectResponse = z
  .object({ disconnected: z.literal(true), user_id: z.string(), session_id: z.string() })
  .meta({ id: 'SshDisconnectResponse' });

const HostKeyRoute = z
  .string()
  .min(1)
  .max(400)
  .meta({
    description:
      "How the host is reached: `direct`, `container:<user_id>` (from inside that user's VPN container), `jump:[host]:port` " +
      '(through that jump host), or a container and a jump host joined by a space. As GET /ssh/host-keys lists it.',
  });

export const ForgetHostKeyQuery = z.object({ hostname: Hostname, port: Port.default(22), route: HostKeyRoute.default('direct') });

export const ForgetHostKeyResponse = z
  .object({
    forgotten: z.boolean().meta({ description: 'false when no key was known for that host on that route' }),
    hostname: z.string(),
    port: z.number(),
  })
  .meta({ id: 'ForgetHostKeyResponse' });

export const HostKeyPin = z
  .object({
    hostname: z.string(),
    port: z.number(),
    route: HostKeyRoute,
    route_label: z.string().meta({ description: 'The route in words' }),
    fingerprint: z.string().meta({ description: 'SHA256:… as ssh-keygen -l prints it' }),
    first_seen: z.string(),
    learned_by_user: z.string().nullable().meta({ description: 'The user whose connection learned the key; null for keys from before 0.2.0' }),
    learned_by_device: z.string().nullable().meta({ description: 'The paired device that connected; null for the owner (or keys from before 0.2.0)' }),
  })
  .meta({ id: 'HostKeyPin' });

export const HostKeyListResponse = z.object({ pins: z.array(HostKeyPin) }).meta({ id: 'HostKeyList' });

export const RunCommandBody = z
  .object({
    user_id: UserId.optional(),
    command: sshText(100_000).min(1).max(100_000),
    timeout: z.number().positive().max(3600).default(30).meta({ description: 'Seconds' }),
    session_id: SessionId.optional(),
  })
  .meta({ id: 'RunCommandRequest' });

export const RunCommandResponse = z
  .object({
    stdout: z.string(),
    stderr: z.string(),
    exit_code: z.number().nullable(),
    container_id: z.string().nullable(),
    timed_out: z.boolean(),
    truncated: z.boolean(),
    signal: z.string().nullable(),
  })
  .meta({ id: 'RunCommandResponse' });

export type SshConnectBody = z.infer<typeof SshConnectBody>;
export type SshStatusResponse = z.infer<typeof SshStatusResponse>;
export type SshSessionListing = z.infer<typeof SshSessionListing>;
export type RunCommandResponse = z.infer<typeof RunCommandResponse>;
export type HostKeyPin = z.infer<typeof HostKeyPin>;
export type HostKeyListResponse = z.infer<typeof HostKeyListResponse>;
