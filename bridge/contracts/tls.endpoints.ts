// The TLS endpoints: what the LAN listener's certificate is, and the /trust page as a QR code.
import { defineEndpoint } from './endpoint.js';
import { TlsInfoResponse, TrustQuery, TrustResponse } from './tls.js';

export const tlsEndpoints = {
  info: defineEndpoint({ method: 'get', path: '/api/tls', response: TlsInfoResponse }),
  trust: defineEndpoint({ method: 'get', path: '/api/tls/trust', query: TrustQuery, response: TrustResponse }),
};
