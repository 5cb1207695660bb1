// HostCheck and socketOriginAllowed as pure policy: which Host headers name the bridge (interfaces and
// hostname passed in), and which socket.io Origins may connect.
import { describe, expect, it } from 'vitest';
import { HostCheck, hostOf, socketOriginAllowed } from '../../../bridge/transport/host-check.js';

function check(extra: Partial<ConstructorParameters<typeof HostCheck>[0]> = {}, addresses = ['127.0.0.1', '::1', '192.168.1.20', 'fe80::1']): HostCheck {
  return new HostCheck({
    publicUrl: null,
    tlsNames: [],
    allowedHosts: [],
    hostname: () => 'Workstation',
    interfaceAddresses: () => addresses,
    ...extra,
  });
}

describe('hostOf', () => {
  it('takes the host out of a Host header: port, brackets and a trailing dot dropped, lowercased', () => {
    expect(hostOf('Example.LAN:8000')).toBe('example.lan');
    expect(hostOf('example.lan.')).toBe('example.lan');
    expect(hostOf('[::1]:8000')).toBe('::1');
    expect(hostOf('192.168.1.20')).toBe('192.168.1.20');
  });

  it('refuses what is not a host', () => {
    for (const bad of ['', 'a b', 'user@host', 'host:port', '[::1', 'evil.example/x', 'ex%41mple']) expect(hostOf(bad)).toBeNull();
  });
});

describe('HostCheck', () => {
  it('allows loopback, the hostname, <hostname>.local and the interface addresses, any port', () => {
    const hosts = check();
    for (const host of ['127.0.0.1:8000', 'localhost:8000', '[::1]:8000', '127.1.2.3', 'workstation:8000', 'WORKSTATION.local', '192.168.1.20:8000', '[fe80::1]:8000']) {
      expect(hosts.allows(host), host).toBe(true);
    }
  });

  it('refuses any other name or address (a rebound DNS name)', () => {
    const hosts = check();
    for (const host of ['evil.example', 'evil.example:8000', 'localhost.evil.example', '10.0.0.5:8000', 'workstation.evil', '']) {
      expect(hosts.allows(host), host).toBe(false);
    }
  });

  it('allows the public URL host, the TLS names and the extra allowed hosts', () => {
    const hosts = check({ publicUrl: 'https://tunnel.example.org', tlsNames: ['vigilink.lan'], allowedHosts: ['Proxy.Example'] });
    for (const host of ['tunnel.example.org', 'tunnel.example.org:443', 'vigilink.lan:8443', 'proxy.example']) expect(hosts.allows(host), host).toBe(true);
  });

  it('reads the interfaces again for an unknown address (a new DHCP lease)', () => {
    const addresses = ['127.0.0.1'];
    const hosts = check({}, addresses);
    expect(hosts.allows('10.1.1.9:8000')).toBe(false);
    addresses.push('10.1.1.9');
    expect(hosts.allows('10.1.1.9:8000')).toBe(true);
  });

  it('lets a request without Host through (HTTP/1.0 tools; a browser always sends one)', () => {
    expect(check().allows(undefined)).toBe(true);
  });
});

describe('socketOriginAllowed', () => {
  it('allows no Origin (non-browser clients) and the page’s own origin, http or https', () => {
    expect(socketOriginAllowed(undefined, '127.0.0.1:8000', [])).toBe(true);
    expect(socketOriginAllowed('http://127.0.0.1:8000', '127.0.0.1:8000', [])).toBe(true);
    expect(socketOriginAllowed('https://vigilink.lan', 'vigilink.lan:443', [])).toBe(true);
    expect(socketOriginAllowed('http://localhost', 'localhost:80', [])).toBe(true);
  });

  it('allows the configured CORS origins and refuses every other origin', () => {
    expect(socketOriginAllowed('http://dev.example:5173', '127.0.0.1:8000', ['http://dev.example:5173'])).toBe(true);
    expect(socketOriginAllowed('http://evil.example', '127.0.0.1:8000', [])).toBe(false);
    expect(socketOriginAllowed('http://127.0.0.1:9999', '127.0.0.1:8000', [])).toBe(false);
    expect(socketOriginAllowed('null', '127.0.0.1:8000', [])).toBe(false);
    expect(socketOriginAllowed('file://', '127.0.0.1:8000', [])).toBe(false);
  });
});
