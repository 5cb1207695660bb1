// The bootstrap page a phone opens over plain HTTP (/trust): the local CA's certificate as a .crt for
// Android and a .mobileconfig profile for iOS, its SHA-256 fingerprint, and short steps. No token, no API.
import crypto from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CaCertificate, TlsService } from './tls.service.js';

export const TRUST_PATHS = { page: '/trust', crt: '/trust/vigilink-ca.crt', profile: '/trust/vigilink.mobileconfig' } as const;

const PAGE_CSP = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** A stable UUID from the CA's fingerprint, so reinstalling the profile replaces it instead of adding a second. */
function uuidFrom(fingerprint: string, salt: string): string {
  const hex = crypto.createHash('sha256').update(`${salt}:${fingerprint}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`.toUpperCase();
}

/** An (unsigned) iOS configuration profile holding the root as a com.apple.security.root payload. */
export function mobileconfigFor(ca: CaCertificate): string {
  const id = ca.fingerprint.replace(/:/g, '').slice(0, 16).toLowerCase();
  return `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0">
<dict>
  <key>PayloadContent</key>
  <array>
    <dict>
      <key>PayloadCertificateFileName</key><string>vigilink-ca.cer</string>
      <key>PayloadContent</key><data>${ca.der.toString('base64')}</data>
      <key>PayloadDescription</key><string>The local certificate authority of your Vigilink workstation. It can only vouch for private network addresses and local names.</string>
      <key>PayloadDisplayName</key><string>Vigilink local root</string>
      <key>PayloadIdentifier</key><string>app.vigilink.ca.${id}</string>
      <key>PayloadType</key><string>com.apple.security.root</string>
      <key>PayloadUUID</key><string>${uuidFrom(ca.fingerprint, 'payload')}</string>
      <key>PayloadVersion</key><integer>1</integer>
    </dict>
  </array>
  <key>PayloadDisplayName</key><string>Vigilink workstation</string>
  <key>PayloadIdentifier</key><string>app.vigilink.trust.${id}</string>
  <key>PayloadRemovalDisallowed</key><false/>
  <key>PayloadType</key><string>Configuration</string>
  <key>PayloadUUID</key><string>${uuidFrom(ca.fingerprint, 'profile')}</string>
  <key>PayloadVersion</key><integer>1</integer>
</dict>
</plist>
`;
}

function trustHtml(ca: CaCertificate | null, httpsUrl: string | null): string {
  const open = httpsUrl ? `<p>Then open <a href="${escapeHtml(httpsUrl)}">${escapeHtml(httpsUrl)}</a>.</p>` : '';
  const body = ca
    ? `<p>Install this workstation's certificate authority once; the phone then reaches Vigilink over HTTPS with no warning.
It can only vouch for private network addresses and local names, never for a public site.</p>
<p>First compare this fingerprint (SHA-256) with the one the desktop shows under <b>Devices → Trust on a phone</b>:</p>
<p><code id="fingerprint">${ca.fingerprint}</code></p>
<h2>iPhone and iPad</h2>
<ol><li><a href="${TRUST_PATHS.profile}">Download the profile</a> (in Safari) and allow it.</li>
<li>Settings → General → VPN &amp; Device Management → Vigilink workstation → Install.</li>
<li>Settings → General → About → Certificate Trust Settings → turn on <i>Vigilink local root</i>.</li></ol>
<h2>Android</h2>
<ol><li><a href="${TRUST_PATHS.crt}">Download the certificate</a>.</li>
<li>Settings → Security → Encryption &amp; credentials → Install a certificate → CA certificate → pick <i>vigilink-ca.crt</i>.</li></ol>
${open}`
    : `<p>This workstation serves its own certificate (VIGILINK_TLS_CERT): there is nothing to install.</p>${open}`;
  return `<!doctype html><html lang="en"><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>Trust this workstation · Vigilink</title>
<body style="font:16px/1.45 system-ui,sans-serif;max-width:36em;margin:2em auto;padding:0 1em">
<h1>Trust this workstation</h1>${body}</body></html>`;
}

function send(res: ServerResponse, type: string, body: string | Buffer, extra: Record<string, string> = {}): void {
  res.writeHead(200, {
    'Content-Type': type,
    'Content-Length': String(Buffer.byteLength(body)),
    'Cache-Control': 'no-cache',
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    ...extra,
  });
  res.end(body);
}

/** The HTTPS address of the same host and port, from a Host header that is a plain host[:port]; else null. */
export function httpsUrlFor(host: string | undefined, pathAndQuery = '/'): string | null {
  if (!host || !/^(\[[0-9a-f:.]+\]|[a-z0-9.-]+)(:\d{1,5})?$/i.test(host)) return null;
  return `https://${host}${pathAndQuery}`;
}

/** Answers the three trust paths (true) or leaves the request alone (false). */
export function serveTrust(tls: TlsService, req: IncomingMessage, res: ServerResponse): boolean {
  if (req.method !== 'GET' && req.method !== 'HEAD') return false;
  const pathname = (req.url ?? '/').split('?')[0];
  const ca = tls.caCertificate();
  if (pathname === TRUST_PATHS.page || pathname === `${TRUST_PATHS.page}/`) {
    send(res, 'text/html; charset=utf-8', trustHtml(ca, httpsUrlFor(req.headers.host)), { 'Content-Security-Policy': PAGE_CSP });
    return true;
  }
  if (!ca) return false;
  if (pathname === TRUST_PATHS.crt) {
    send(res, 'application/x-x509-ca-cert', ca.der, { 'Content-Disposition': 'attachment; filename="vigilink-ca.crt"' });
    return true;
  }
  if (pathname === TRUST_PATHS.profile) {
    send(res, 'application/x-apple-aspen-config', mobileconfigFor(ca), { 'Content-Disposition': 'attachment; filename="vigilink.mobileconfig"' });
    return true;
  }
  return false;
}
