// On the app's own port: /trust for every client (the desktop previews what a phone sees), and the pairing
// page kept off plain HTTP from the LAN even when VIGILINK_INSECURE_LAN_HTTP lets the rest through.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { isThisMachine } from './lan-scope.js';
import { httpsUrlFor, serveTrust } from './trust-page.js';
import type { TlsService } from './tls.service.js';

/** TLS, or plain HTTP from this machine: the only transports a pairing secret or device token may use. */
export function isPrivateTransport(req: IncomingMessage): boolean {
  return Boolean((req.socket as TLSSocket).encrypted) || isThisMachine(req.socket.remoteAddress, req.socket.localAddress);
}

export function trustHandler(tls: TlsService) {
  return (req: IncomingMessage, res: ServerResponse, next: () => void): void => {
    if (serveTrust(tls, req, res)) return;
    const pathname = (req.url ?? '/').split('?')[0];
    if (pathname === '/pair' && !isPrivateTransport(req)) {
      const target = httpsUrlFor(req.headers.host, req.url);
      if (target) {
        res.writeHead(308, { Location: target, 'Cache-Control': 'no-store' }).end();
        return;
      }
    }
    next();
  };
}
