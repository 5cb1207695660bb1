// HTTP adapter for VPN containers: parse, call VpnService, shape the earlier backend's answers.
import type { AuditLog } from '../audit/audit-log.js';
import type { AuditDetails } from '../contracts/audit.js';
import { vpnEndpoints } from '../contracts/vpn.endpoints.js';
import { defineRoute, type AnyRoute, type RouteContext } from '../transport/route.js';
import type { VpnPrompts } from './vpn-prompts.js';
import type { VpnService } from './vpn.service.js';

/** Record a VPN connect or disconnect, done or refused, with who asked (never the password). */
async function audited<T>(
  audit: AuditLog,
  event: 'vpn.connect' | 'vpn.disconnect',
  ctx: RouteContext<unknown, unknown, unknown>,
  userId: string,
  details: AuditDetails,
  work: () => Promise<T>,
): Promise<T> {
  const source = { principal: ctx.principal, clientAddress: ctx.clientAddress };
  try {
    const result = await work();
    audit.record({ event, userId, source, details });
    return result;
  } catch (error) {
    audit.record({ event, ok: false, userId, source, details: { ...details, error: (error as Error).message.slice(0, 500) } });
    throw error;
  }
}

export function vpnRoutes(vpn: VpnService, prompts: VpnPrompts, audit: AuditLog): AnyRoute[] {
  return [
    defineRoute(vpnEndpoints.connect, {
      tag: 'vpn',
      summary: "Start (or reuse) the user's VPN container, and openconnect in it when real is true",
      description:
        'One container per user. real=true waits until the tunnel is up (at most VPN_CONNECT_TIMEOUT_SECONDS) or answers 500 with ' +
        "openconnect's reason and log tail, leaving nothing running. Connects closer together than VPN_COOLDOWN_SECONDS get 429. " +
        'Login forms the password does not answer (one-time codes, group choices) go to the user as vpn:prompt; wait=false answers ' +
        'at once with state "authenticating".',
      errors: [403, 429, 500],
      handler: async (ctx) => {
        const { body } = ctx;
        const user = ctx.userId(body.user_id);
        const details = { real: body.real, server: body.vpn_url ?? null, protocol: body.protocol };
        const { containerId } = await audited(audit, 'vpn.connect', ctx, user, details, () =>
          vpn.connect({
            userId: user,
            real: body.real,
            tunnel: body.vpn_url
              ? { server: body.vpn_url, username: body.username, protocol: body.protocol, servercert: body.servercert, authgroup: body.authgroup }
              : null,
            password: body.password ?? '',
            autoReconnect: body.auto_reconnect,
            wait: body.wait,
          }),
        );
        return { status: 'started' as const, user_id: user, container_id: containerId, ...(body.wait || !body.real ? {} : { state: 'authenticating' as const }) };
      },
    }),
    defineRoute(vpnEndpoints.containers, {
      tag: 'vpn',
      summary: "Every user's VPN container (owner only)",
      auth: 'owner',
      errors: [403],
      handler: () => ({ containers: vpn.listContainers() }),
    }),
    defineRoute(vpnEndpoints.status, {
      tag: 'vpn',
      summary: "The user's container and tunnel, as read from the container",
      errors: [403, 404, 500],
      handler: ({ query, userId }) => vpn.status(userId(query.user_id)),
    }),
    defineRoute(vpnEndpoints.prompt, {
      tag: 'vpn',
      summary: 'The VPN login form waiting for the user (a one-time code, a group choice), or null',
      errors: [403],
      handler: ({ query, userId }) => ({ prompt: prompts.current(userId(query.user_id)) }),
    }),
    defineRoute(vpnEndpoints.answerPrompt, {
      tag: 'vpn',
      summary: 'Answer the VPN login form; the login goes on (its outcome arrives with the connect or the live state)',
      description: '404: no such form waiting (answered, abandoned or expired); 403: another user\'s; 400: a field not asked, or one missing.',
      errors: [400, 403, 404],
      handler: ({ body, userId }) => {
        prompts.answer(userId(body.user_id), body.prompt_id, body.answers);
        return { status: 'answered' as const };
      },
    }),
    defineRoute(vpnEndpoints.disconnect, {
      tag: 'vpn',
      summary: "Stop openconnect, remove the user's container and close the SSH sessions that ran through it",
      errors: [403, 404, 500],
      handler: async (ctx) => {
        const user = ctx.userId(ctx.query.user_id);
        await audited(audit, 'vpn.disconnect', ctx, user, {}, () => vpn.disconnect(user));
        return { status: 'stopped' as const };
      },
    }),
  ];
}
