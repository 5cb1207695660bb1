// Wire shapes of the LAN listener's TLS: what the UI shows (mode, CA fingerprint, the insecure-LAN flag)
// and the "Trust on a phone" step (the /trust URL as a QR code).
import { z } from 'zod';

export const TlsInfoResponse = z
  .object({
    mode: z.enum(['local-ca', 'user-certificate']).meta({ description: "local-ca: the bridge's own name-constrained CA; user-certificate: VIGILINK_TLS_CERT" }),
    ca_fingerprint_sha256: z.string().nullable().meta({ description: "SHA-256 of the local CA's root certificate (colon-separated hex); null with a user certificate" }),
    insecure_lan_http: z.boolean().meta({ description: 'VIGILINK_INSECURE_LAN_HTTP: plain HTTP from the LAN reaches the API' }),
  })
  .meta({ id: 'TlsInfo' });
export type TlsInfoResponse = z.infer<typeof TlsInfoResponse>;

export const TrustQuery = z
  .object({ address: z.ipv4().optional().meta({ description: 'One of GET /api/pair/addresses (default: the first)' }) })
  .meta({ id: 'TrustQuery' });

export const TrustResponse = z
  .object({
    trust_url: z.string().meta({ description: 'http://<lan-address>:<port>/trust: the only page plain HTTP serves to the LAN' }),
    ca_fingerprint_sha256: z.string().nullable(),
    qr_svg: z.string(),
    qr_png: z.string().meta({ description: 'data:image/png;base64 URL' }),
  })
  .meta({ id: 'Trust' });
export type TrustResponse = z.infer<typeof TrustResponse>;
