// HTTP adapter for SSH sessions: parse, call SshSessionService, shape the earlier backend's answers.
import type { SshConnectBody } from '../contracts/ssh.js';
import { sshEndpoints } from '../contracts/ssh.endpoints.js';
import { defineRoute, type AnyRoute } from '../transport/route.js';
import { hostKeyPinListing, parseRouteKeyOrThrow } from './host-key-pins.js';
import type { HostKeyStore } from './host-keys.js';
import type { JumpHost, SshSessionService } from './ssh-sessions.js';

/** The wire's snake_case credentials as the session service takes them (jump host included). */
function credentials(wire: Pick<SshConnectBody, 'hostname' | 'port' | 'username' | 'password' | 'private_key' | 'passphrase'>): JumpHost {
  return {
    hostname: wire.hostname,
    port: wire.port,
    username: wire.username,
    password: wire.password,
    privateKey: wire.private_key,
    passphrase: wire.passphrase,
  };
}

export function sshRoutes(sessions: SshSessionService, hostKeys: HostKeyStore): AnyRoute[] {
  return [
    defineRoute(sshEndpoints.connect, {
      tag: 'ssh',
      summary: 'Open (or replace) an SSH session',
      description:
        'One connection per session; at most SSH_MAX_SESSIONS_PER_USER per user. Host keys are trusted on first use. ' +
        'A private key is decrypted in a worker: past SSH_KEY_PARSE_TIMEOUT_SECONDS it is 400; 503 when other keys hold every worker.',
      errors: [403, 409, 502, 503],
      handler: async ({ query, body, userId, principal, log }) => {
        const user = userId(body.user_id);
        const deviceId = principal?.kind === 'device' ? principal.deviceId : null;
        const info = await sessions.connect({
          ...credentials(body),
          jump: body.jump && credentials(body.jump),
          log,
          deviceId,
          userId: user,
          sessionId: query.session_id,
        });
        return {
          connected: true as const,
          user_id: user,
          session_id: info.sessionId,
          hostname: info.hostname,
          port: info.port,
          host_key_fingerprint: info.hostKeyFingerprint,
        };
      },
    }),
    defineRoute(sshEndpoints.status, {
      tag: 'ssh',
      summary: "List a user's SSH sessions (never 404)",
      errors: [403],
      handler: ({ query, userId }) => {
        const user = userId(query.user_id);
        const list = sessions.list(user);
        return { connected: list.some((s) => s.active), user_id: user, count: list.length, sessions: list };
      },
    }),
    defineRoute(sshEndpoints.disconnect, {
      tag: 'ssh',
      summary: 'Close an SSH session',
      errors: [403, 404],
      handler: ({ query, userId, log }) => {
        const user = userId(query.user_id);
        sessions.disconnect(user, query.session_id, log);
        return { disconnected: true as const, user_id: user, session_id: query.session_id };
      },
    }),
    defineRoute(sshEndpoints.hostKeys, {
      tag: 'ssh',
      summary: 'List trusted host keys (owner only): host, route, fingerprint, first seen, by whom',
      description: 'A key is pinned per route: the same host reached directly, through a jump host or from inside a user’s VPN container has one pin per route.',
      auth: 'owner',
      errors: [403],
      handler: () => ({ pins: hostKeyPinListing(hostKeys) }),
    }),
    defineRoute(sshEndpoints.forgetHostKey, {
      tag: 'ssh',
      summary: "Forget a host's trusted key on one route (owner only), after the host was reinstalled",
      description: 'The next connect to that host over that route trusts the key it presents, as on first use. Without `route`, the direct pin.',
      auth: 'owner',
      errors: [403],
      handler: async ({ query }) => ({
        forgotten: await hostKeys.forget(query.hostname, query.port, parseRouteKeyOrThrow(query.route)),
        hostname: query.hostname,
        port: query.port,
      }),
    }),
  ];
}
