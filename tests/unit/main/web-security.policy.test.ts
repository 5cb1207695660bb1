// The window's navigation, new-window, permission and CSP policy (main/security/web-security.policy.ts).
import { describe, expect, it } from 'vitest';
import {
  bridgeOrigin,
  contentSecurityPolicy,
  isSameOrigin,
  listensOnLoopback,
  navigationAllowed,
  permissionAllowed,
  windowOpenDecision,
  withContentSecurityPolicy,
} from '../../../main/security/web-security.policy.js';

const ORIGIN = 'http://127.0.0.1:8000';

describe('bridgeOrigin', () => {
  it('is always 127.0.0.1 on the port that answers on loopback', () => {
    expect(bridgeOrigin(8000)).toBe('http://127.0.0.1:8000');
    expect(bridgeOrigin(41234)).toBe('http://127.0.0.1:41234');
  });
});

describe('listensOnLoopback', () => {
  it('is true when the bridge listens on every interface or on 127.0.0.1', () => {
    for (const host of ['0.0.0.0', '::', '', '127.0.0.1']) expect(listensOnLoopback(host)).toBe(true);
  });

  it('is false for DNS names, localhost (may be ::1 only) and LAN addresses: the window then gets its own loopback listener', () => {
    for (const host of ['workstation.lan', 'localhost', 'example.com', '192.168.1.20', 'fd00::5', '::1', '127.0.0.2']) {
      expect(listensOnLoopback(host)).toBe(false);
    }
  });
});

describe('navigation', () => {
  it('allows the bridge UI and its routes', () => {
    expect(navigationAllowed(`${ORIGIN}/`, ORIGIN)).toBe(true);
    expect(navigationAllowed(`${ORIGIN}/devices?pair=1`, ORIGIN)).toBe(true);
    expect(navigationAllowed(`${ORIGIN}/pair#secret`, ORIGIN)).toBe(true);
  });

  it.each([
    'https://example.com/',
    'http://127.0.0.1:8001/',
    'http://localhost:8000/',
    'https://127.0.0.1:8000/',
    'http://127.0.0.1:8000.evil.com/',
    'http://127.0.0.1:8000@evil.com/',
    'file:///etc/passwd',
    'javascript:alert(1)',
    'data:text/html,<script>alert(1)</script>',
    'not a url',
    '',
  ])('denies %s', (url) => {
    expect(navigationAllowed(url, ORIGIN)).toBe(false);
  });

  it('compares origins, not prefixes', () => {
    expect(isSameOrigin('http://127.0.0.1:80001/', 'http://127.0.0.1:8000')).toBe(false);
    expect(isSameOrigin('HTTP://127.0.0.1:8000/x', ORIGIN)).toBe(true);
  });
});

describe('new windows', () => {
  it('never opens an Electron window', () => {
    for (const url of [`${ORIGIN}/docs`, 'https://nvidia.com/', 'about:blank', 'file:///tmp/x', 'vigilink://x']) {
      expect(windowOpenDecision(url, ORIGIN).action).toBe('deny');
    }
  });

  it('hands only https links off the bridge to the system browser', () => {
    expect(windowOpenDecision('https://docs.nvidia.com/smi', ORIGIN).openExternally).toBe(true);
    expect(windowOpenDecision('http://example.com/', ORIGIN).openExternally).toBe(false);
    expect(windowOpenDecision(`${ORIGIN}/api/fs/download?path=x`, ORIGIN).openExternally).toBe(false);
    expect(windowOpenDecision('file:///etc/passwd', ORIGIN).openExternally).toBe(false);
    expect(windowOpenDecision('smb://host/share', ORIGIN).openExternally).toBe(false);
    expect(windowOpenDecision('javascript:alert(1)', ORIGIN).openExternally).toBe(false);
    expect(windowOpenDecision('::::', ORIGIN).openExternally).toBe(false);
  });
});

describe('permissions', () => {
  it('grants only clipboard writes and full screen, and only to the bridge', () => {
    expect(permissionAllowed('clipboard-sanitized-write', `${ORIGIN}/`, ORIGIN)).toBe(true);
    expect(permissionAllowed('fullscreen', `${ORIGIN}/terminal`, ORIGIN)).toBe(true);
    expect(permissionAllowed('clipboard-sanitized-write', 'https://evil.com/', ORIGIN)).toBe(false);
    for (const permission of ['media', 'geolocation', 'notifications', 'openExternal', 'clipboard-read', 'midiSysex', 'unknown']) {
      expect(permissionAllowed(permission, `${ORIGIN}/`, ORIGIN)).toBe(false);
    }
  });
});

describe('Content-Security-Policy', () => {
  const csp = contentSecurityPolicy(ORIGIN);
  const directives = new Map(csp.split('; ').map((d) => [d.split(' ')[0], d.split(' ').slice(1)]));

  it('allows scripts only from the bridge, and no plugins, framing or base rewrites', () => {
    expect(directives.get('script-src')).toEqual(["'self'"]);
    expect(directives.get('default-src')).toEqual(["'self'"]);
    expect(directives.get('object-src')).toEqual(["'none'"]);
    expect(directives.get('frame-ancestors')).toEqual(["'none'"]);
    expect(directives.get('base-uri')).toEqual(["'none'"]);
    expect(csp).not.toMatch(/unsafe-eval/);
    expect(directives.get('script-src')).not.toContain("'unsafe-inline'");
  });

  it("lets socket.io's WebSocket reach the same bridge", () => {
    expect(directives.get('connect-src')).toEqual(["'self'", 'ws://127.0.0.1:8000']);
  });

  it('adds ours to the policies the server sent (browsers enforce all of them), whatever the header case', () => {
    const headers = withContentSecurityPolicy(
      { 'content-type': ['text/html'], 'content-security-policy': ["default-src 'self'"], 'Content-Security-Policy': 'img-src data:' },
      csp,
    );
    expect(headers).toEqual({ 'content-type': ['text/html'], 'Content-Security-Policy': ["default-src 'self'", 'img-src data:', csp] });
    expect(withContentSecurityPolicy({}, csp)).toEqual({ 'Content-Security-Policy': [csp] });
  });

  it("allows no less than the bridge's own UI policy needs: its manifest and its own workers", () => {
    expect(directives.get('manifest-src')).toEqual(["'self'"]);
    expect(directives.get('worker-src')).toEqual(["'self'"]);
  });
});
