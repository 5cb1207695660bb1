// HTTP adapter for port forwards: open, list, close, and the one-time link a browser opens. Thin: parse,
// call ForwardsService, answer.
import type { TLSSocket } from 'node:tls';
import { forwardsEndpoints } from '../contracts/forwards.endpoints.js';
import { AppError } from '../core/errors.js';
import { hostOf } from '../transport/host-check.js';
import { defineRoute, type AnyRoute } from '../transport/route.js';
import type { ForwardsService } from './forwards.service.js';

export function forwardsRoutes(forwards: ForwardsService): AnyRoute[] {
  return [
    defineRoute(forwardsEndpoints.open, {
      tag: 'forwards',
      summary: 'Forward a port of the cluster (TensorBoard, Jupyter, any web app) to a bridge port of its own',
      description:
        'remote_host:remote_port as seen from the session\'s host, through the SSH session (or the VPN container without one). ' +
        'The forward is served on its own port of the bridge (FORWARD_PORTS); open it with a link from POST /api/forwards/{id}/link.',
      errors: [403, 404, 409, 502, 503],
      handler: async ({ body, userId, principal, clientAddress, req }) => {
        const forward = await forwards.open(
          userId(body.user_id),
          { sessionId: body.session_id, remoteHost: body.remote_host, remotePort: body.remote_port, name: body.name },
          { principal, clientAddress },
        );
        const base = callerBase(req.socket as TLSSocket, req.get('host'));
        return { ...forward, url: `${base.secure ? 'https' : 'http'}://${base.host}:${forward.port}/` };
      },
    }),
    defineRoute(forwardsEndpoints.list, {
      tag: 'forwards',
      summary: "The user's open forwards with bytes and last use",
      handler: ({ query, userId }) => ({ forwards: forwards.list(userId(query.user_id)) }),
    }),
    defineRoute(forwardsEndpoints.link, {
      tag: 'forwards',
      summary: 'A one-time link that lets this browser into the forward (a cookie for this forward and this device)',
      errors: [403, 404],
      handler: ({ params, query, userId, principal, req }) =>
        forwards.link(userId(query.user_id), params.id, principal ?? { kind: 'owner' }, callerBase(req.socket as TLSSocket, req.get('host'))),
    }),
    defineRoute(forwardsEndpoints.close, {
      tag: 'forwards',
      summary: 'Close a forward: its port stops answering and open connections (WebSockets too) end',
      errors: [403, 404],
      handler: async ({ params, query, userId, principal, clientAddress }) => {
        await forwards.close(userId(query.user_id), params.id, 'closed by the user', { principal, clientAddress });
        return { forward_id: params.id, closed: true as const };
      },
    }),
  ];
}

/** The scheme and host the caller used to reach the bridge: the forward's link points at the same name. */
function callerBase(socket: TLSSocket, hostHeader: string | undefined): { secure: boolean; host: string } {
  const host = hostHeader ? hostOf(hostHeader) : null;
  if (!host) throw new AppError('invalid', 'Host: the request names no host to build the link on');
  return { secure: socket.encrypted === true, host: host.includes(':') ? `[${host}]` : host };
}
