// The trust page's redirect target comes from the Host header: only a plain host[:port] makes one.
import { describe, expect, it } from 'vitest';
import { httpsUrlFor, mobileconfigFor } from '../../../bridge/tls/trust-page.js';

describe('httpsUrlFor', () => {
  it('keeps the host and port a phone used', () => {
    expect(httpsUrlFor('192.168.1.5:8000', '/pair')).toBe('https://192.168.1.5:8000/pair');
    expect(httpsUrlFor('ws.lab.internal:8000')).toBe('https://ws.lab.internal:8000/');
    expect(httpsUrlFor('[fd00::2]:8000', '/x?y=1')).toBe('https://[fd00::2]:8000/x?y=1');
  });
  it('makes none from a missing or hostile Host header', () => {
    for (const host of [undefined, '', 'evil.example/path', 'a@b:1', 'x:8000\r\nSet-Cookie: a=b', 'host:99999999', '<script>']) {
      expect(httpsUrlFor(host, '/'), String(host)).toBeNull();
    }
  });
});

describe('mobileconfigFor', () => {
  it('wraps the DER root in one com.apple.security.root payload with stable UUIDs', () => {
    const ca = { pem: '', der: Buffer.from('root-der-bytes'), fingerprint: 'AB:CD' };
    const profile = mobileconfigFor(ca);
    expect(profile).toContain(`<data>${ca.der.toString('base64')}</data>`);
    expect(profile.match(/com\.apple\.security\.root/g)).toHaveLength(1);
    const uuids = [...profile.matchAll(/<key>PayloadUUID<\/key><string>([0-9A-F-]{36})<\/string>/g)].map((m) => m[1]);
    expect(uuids).toHaveLength(2);
    expect(new Set(uuids).size).toBe(2);
    expect(mobileconfigFor(ca)).toBe(profile);
  });
});
