// HTTP adapter for VPN containers: parse, call VpnService, shape the earlier backend's answers.
import { VpnConnectBody, VpnConnectResponse, VpnDisconnectResponse, VpnStatusResponse, VpnUserQuery } from '../contracts/vpn.js';
import { defineRoute, type AnyRoute } from '../transport/route.js';
import type { VpnService } from './vpn.service.js';

export function vpnRoutes(vpn: VpnService): AnyRoute[] {
  return [
    defineRoute({
      method: 'post',
      path: '/vpn/connect',
      tag: 'vpn',
      summary: "Start (or reuse) the user's VPN container, and openconnect in it when real is true",
      description:
        'One container per user. real=true waits until the tunnel is up (at most VPN_CONNECT_TIMEOUT_SECONDS) or answers 500 with ' +
        "openconnect's reason and log tail, leaving nothing running. Connects closer together than VPN_COOLDOWN_SECONDS get 429.",
      body: VpnConnectBody,
      response: VpnConnectResponse,
      errors: [403, 429, 500],
      handler: async ({ body, userId }) => {
        const user = userId(body.user_id);
        const { containerId } = await vpn.connect({
          userId: user,
          real: body.real,
          tunnel: body.vpn_url
            ? { server: body.vpn_url, username: body.username, protocol: body.protocol, servercert: body.servercert, authgroup: body.authgroup }
            : null,
          password: body.password ?? '',
          autoReconnect: body.auto_reconnect,
        });
        return { status: 'started' as const, user_id: user, container_id: containerId };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/vpn/status',
      tag: 'vpn',
      summary: "The user's container and tunnel, as read from the container",
      query: VpnUserQuery,
      response: VpnStatusResponse,
      errors: [403, 404, 500],
      handler: ({ query, userId }) => vpn.status(userId(query.user_id)),
    }),
    defineRoute({
      method: 'post',
      path: '/vpn/disconnect',
      tag: 'vpn',
      summary: "Stop openconnect, remove the user's container and close the SSH sessions that ran through it",
      query: VpnUserQuery,
      response: VpnDisconnectResponse,
      errors: [403, 404, 500],
      handler: async ({ query, userId }) => {
        await vpn.disconnect(userId(query.user_id));
        return { status: 'stopped' as const };
      },
    }),
  ];
}
