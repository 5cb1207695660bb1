// The SSH session endpoints: connect, status, disconnect, and the owner's trusted host keys.
import { defineEndpoint } from './endpoint.js';
import {
  ForgetHostKeyQuery,
  ForgetHostKeyResponse,
  HostKeyListResponse,
  SshConnectBody,
  SshConnectQuery,
  SshConnectResponse,
  SshDisconnectQuery,
  SshDisconnectResponse,
  SshStatusResponse,
  UserQuery,
} from './ssh.js';

export const sshEndpoints = {
  connect: defineEndpoint({ method: 'post', path: '/ssh/connect', query: SshConnectQuery, body: SshConnectBody, response: SshConnectResponse }),
  status: defineEndpoint({ method: 'get', path: '/ssh/status', query: UserQuery, response: SshStatusResponse }),
  disconnect: defineEndpoint({ method: 'post', path: '/ssh/disconnect', query: SshDisconnectQuery, response: SshDisconnectResponse }),
  hostKeys: defineEndpoint({ method: 'get', path: '/ssh/host-keys', response: HostKeyListResponse }),
  forgetHostKey: defineEndpoint({ method: 'delete', path: '/ssh/host-keys', query: ForgetHostKeyQuery, response: ForgetHostKeyResponse }),
};
