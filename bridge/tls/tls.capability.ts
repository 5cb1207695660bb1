// The TLS capability's routes: what the UI shows about the listener's certificate, and the QR code of
// the /trust page for "Trust on a phone".
import type { BridgeContext, Capability } from '../capability.js';
import { tlsEndpoints } from '../contracts/tls.endpoints.js';
import { AppError } from '../core/errors.js';
import { httpBase } from '../pairing/lan-addresses.js';
import { qrImages } from '../pairing/pairing-qr.js';
import { defineRoute } from '../transport/route.js';
import { TRUST_PATHS } from './trust-page.js';

export function tlsCapability(ctx: BridgeContext): Capability {
  const fingerprint = (): string | null => ctx.tls.caCertificate()?.fingerprint ?? null;
  const trustBase = (address: string | undefined, local: { port: number; address: string }): string => {
    const addresses = ctx.lanAddresses();
    if (address !== undefined && !addresses.some((a) => a.address === address)) {
      throw new AppError('invalid', `address: ${address} is not one of this machine's LAN addresses (GET /api/pair/addresses)`);
    }
    const bindAll = ctx.config.host === '0.0.0.0' || ctx.config.host === '::';
    return httpBase(address ?? (bindAll ? (addresses[0]?.address ?? local.address) : ctx.config.host), local.port);
  };
  return {
    name: 'tls',
    routes: [
      defineRoute(tlsEndpoints.info, {
        tag: 'tls',
        summary: "The LAN listener's certificate: local CA or the user's, the CA's fingerprint, and whether plain LAN HTTP is on",
        description: 'No token needed: nothing here is secret (/trust shows the fingerprint to anyone), and it concerns no user.',
        auth: 'none',
        handler: () => ({ mode: ctx.tls.mode, ca_fingerprint_sha256: fingerprint(), insecure_lan_http: ctx.config.tls.insecureLanHttp }),
      }),
      defineRoute(tlsEndpoints.trust, {
        tag: 'tls',
        summary: 'The /trust page of a LAN address as a URL and QR code, for a phone to install the CA (owner only)',
        auth: 'owner',
        errors: [403],
        handler: async ({ query, req }) => {
          const url = `${trustBase(query.address, { port: req.socket.localPort ?? 0, address: req.socket.localAddress ?? '127.0.0.1' })}${TRUST_PATHS.page}`;
          const qr = await qrImages(url);
          return { trust_url: url, ca_fingerprint_sha256: fingerprint(), qr_svg: qr.svg, qr_png: qr.png };
        },
      }),
    ],
  };
}
