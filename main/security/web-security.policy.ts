// The desktop window's security policy as plain functions (Electron's security checklist): which
// navigations, new windows and permissions the bridge's UI gets, and the Content-Security-Policy.
// harden-web-contents.ts applies them; tests/unit/main/web-security.policy.test.ts pins them down.

/**
 * Whether the bridge's own listener answers on 127.0.0.1: on every interface or on 127.0.0.1 itself.
 * `localhost` may resolve to ::1 only, and a LAN address or a DNS name never covers loopback.
 */
export function listensOnLoopback(host: string): boolean {
  return host === '0.0.0.0' || host === '::' || host === '' || host === '127.0.0.1';
}

/**
 * The origin the window loads: always 127.0.0.1, never a DNS name (a name's answer can change under the
 * window and carry the owner's session to another machine). `port` is where loopback answers.
 */
export function bridgeOrigin(port: number): string {
  return `http://127.0.0.1:${port}`;
}

/** Same origin, compared as URL origins (scheme, host, port), never as string prefixes. */
export function isSameOrigin(url: string, origin: string): boolean {
  try {
    return new URL(url).origin === new URL(origin).origin;
  } catch {
    return false;
  }
}

/** Navigation in the window: only within the bridge's UI. */
export function navigationAllowed(url: string, origin: string): boolean {
  return isSameOrigin(url, origin);
}

export interface WindowOpenDecision {
  action: 'deny';
  /** Hand the URL to the system browser instead (https links only, never file:, custom schemes or the bridge). */
  openExternally: boolean;
}

/** window.open and target=_blank: never a new Electron window. */
export function windowOpenDecision(url: string, origin: string): WindowOpenDecision {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { action: 'deny', openExternally: false };
  }
  return { action: 'deny', openExternally: parsed.protocol === 'https:' && !isSameOrigin(url, origin) };
}

/**
 * Web permissions the UI may use. Copying terminal output needs the sanitized clipboard write; the
 * terminal may go full screen. Notifications come from the main process (native), not the page.
 */
const GRANTED_PERMISSIONS: ReadonlySet<string> = new Set(['clipboard-sanitized-write', 'fullscreen']);

export function permissionAllowed(permission: string, requestingUrl: string, origin: string): boolean {
  return GRANTED_PERMISSIONS.has(permission) && isSameOrigin(requestingUrl, origin);
}

/**
 * The CSP for every response of the bridge in the window. Scripts only from the bridge; socket.io's
 * WebSocket to the same host (named explicitly: older Chromium did not count ws: as 'self');
 * inline styles because xterm.js and React style attributes need them; images may be data:/blob:
 * (QR codes, previews); nothing may frame the UI or be framed by it.
 */
export function contentSecurityPolicy(origin: string): string {
  const ws = origin.replace(/^http/, 'ws');
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    `connect-src 'self' ${ws}`,
    "manifest-src 'self'",
    "worker-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-src 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

type Headers = Record<string, string | string[]>;

/**
 * Response headers with our CSP added to any the server sent. Browsers enforce every policy they get,
 * so the window never runs under less than ours, and a stricter page policy (the UI's own) still holds.
 */
export function withContentSecurityPolicy(headers: Headers, csp: string): Headers {
  const out: Headers = {};
  const policies: string[] = [];
  for (const [name, value] of Object.entries(headers)) {
    if (name.toLowerCase() === 'content-security-policy') policies.push(...(Array.isArray(value) ? value : [value]));
    else out[name] = value;
  }
  out['Content-Security-Policy'] = [...policies, csp];
  return out;
}
