// The TLS capability's routes: what the UI shows about the listener's certificate, and the QR code of
// the /trust page for "Trust on a phone".
import { tlsEndpoints } from '../contracts/tls.endpoints.js';
import type { BridgeConfig } from '../config/config.js';
import { AppError } from '../core/errors.js';
import type { Capability } from '../transport/capability.js';
import { defineRoute } from '../transport/route.js';
import { httpBase, type InterfaceAddress } from './lan-addresses.js';
import { qrImages } from './qr-images.js';
import type { TlsService } from './tls.service.js';
import { TRUST_PATHS } from './trust-page.js';

export interface TlsCapabilityDeps {
  tls: TlsService;
  config: Pick<BridgeConfig, 'host' | 'tls'>;
  lanAddresses: () => InterfaceAddress[];
}

export function tlsCapability({ tls, config, lanAddresses }: TlsCapabilityDeps): Capability {
  const fingerprint = (): string | null => tls.caCertificate()?.fingerprint ?? null;
  const trustBase = (address: string | undefined, local: { port: number; address: string }): string => {
    const addresses = lanAddresses();
    if (address !== undefined && !addresses.some((a) => a.address === address)) {
      throw new AppError('invalid', `address: ${address} is not one of this machine's LAN addresses (GET /api/pair/addresses)`);
    }
    const bindAll = config.host === '0.0.0.0' || config.host === '::';
    return httpBase(address ?? (bindAll ? (addresses[0]?.address ?? local.address) : config.host), local.port);
  };
  return {
    name: 'tls',
    routes: [
      defineRoute(tlsEndpoints.info, {
        tag: 'tls',
        summary: "The LAN listener's certificate: local CA or the user's, the CA's fingerprint, and whether plain LAN HTTP is on",
        description: 'No token needed: nothing here is secret (/trust shows the fingerprint to anyone), and it concerns no user.',
        auth: 'none',
        handler: () => ({ mode: tls.mode, ca_fingerprint_sha256: fingerprint(), insecure_lan_http: config.tls.insecureLanHttp }),
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
