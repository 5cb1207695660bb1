// The VPN endpoints: the user's container and tunnel, its login prompts, and the owner's list.
import { defineEndpoint } from './endpoint.js';
import {
  VpnConnectBody,
  VpnConnectResponse,
  VpnContainerList,
  VpnDisconnectResponse,
  VpnPromptAnswerBody,
  VpnPromptAnswerResponse,
  VpnPromptResponse,
  VpnStatusResponse,
  VpnUserQuery,
} from './vpn.js';

export const vpnEndpoints = {
  connect: defineEndpoint({ method: 'post', path: '/vpn/connect', body: VpnConnectBody, response: VpnConnectResponse }),
  containers: defineEndpoint({ method: 'get', path: '/vpn/containers', response: VpnContainerList }),
  status: defineEndpoint({ method: 'get', path: '/vpn/status', query: VpnUserQuery, response: VpnStatusResponse }),
  prompt: defineEndpoint({ method: 'get', path: '/vpn/prompt', query: VpnUserQuery, response: VpnPromptResponse }),
  answerPrompt: defineEndpoint({ method: 'post', path: '/vpn/prompt/answer', body: VpnPromptAnswerBody, response: VpnPromptAnswerResponse }),
  disconnect: defineEndpoint({ method: 'post', path: '/vpn/disconnect', query: VpnUserQuery, response: VpnDisconnectResponse }),
};
