// Which peers may use plain HTTP, and which names and addresses the local CA can vouch for.
import { describe, expect, it } from 'vitest';
import { dnsNameWithin, isLoopbackAddress, isPermittedAddress, isThisMachine, normalizeDnsName } from '../../../bridge/tls/lan-scope.js';

describe('isLoopbackAddress', () => {
  it('accepts loopback in every spelling the socket reports', () => {
    for (const address of ['127.0.0.1', '127.3.4.5', '::1', '::ffff:127.0.0.1']) expect(isLoopbackAddress(address), address).toBe(true);
  });
  it('refuses LAN, public and odd addresses', () => {
    for (const address of ['192.168.1.5', '::ffff:10.0.0.2', '10.127.0.1', '8.8.8.8', 'fe80::1', '::', '0.0.0.0', '', undefined, '127.0.0.1.evil', '::ffff:128.0.0.1']) {
      expect(isLoopbackAddress(address), String(address)).toBe(false);
    }
  });
});

describe('isPermittedAddress', () => {
  it('permits private, CGNAT, loopback, link-local and unique-local addresses', () => {
    for (const address of ['10.1.2.3', '172.16.0.1', '172.31.255.254', '192.168.0.10', '100.64.0.1', '100.127.255.1', '127.0.0.1', '169.254.3.4', '::1', 'fd12:3456::1', 'fe80::1', '::ffff:192.168.1.1']) {
      expect(isPermittedAddress(address), address).toBe(true);
    }
  });
  it('refuses public addresses and non-addresses', () => {
    for (const address of ['8.8.8.8', '172.32.0.1', '100.128.0.1', '192.169.0.1', '2001:db8::1', '2606:4700::1111', 'example.com', '']) {
      expect(isPermittedAddress(address), address).toBe(false);
    }
  });
});

describe('DNS names', () => {
  it('normalises and rejects what is not a host name', () => {
    expect(normalizeDnsName(' WS.Vigilink.Test. ')).toBe('ws.vigilink.test');
    for (const bad of ['', 'a b', '-x.local', 'x..local', '*.local', 'é.local']) expect(normalizeDnsName(bad), bad).toBeNull();
  });
  it('is within a constraint base when equal or below it, not when it merely ends with its letters', () => {
    const bases = ['local', 'localhost', 'ws.vigilink.test'];
    expect(dnsNameWithin('box.local', bases)).toBe(true);
    expect(dnsNameWithin('localhost', bases)).toBe(true);
    expect(dnsNameWithin('ws.vigilink.test', bases)).toBe(true);
    expect(dnsNameWithin('evillocal', bases)).toBe(false);
    expect(dnsNameWithin('vigilink.test', bases)).toBe(false);
    expect(dnsNameWithin('www.example.com', bases)).toBe(false);
  });
});

describe('isThisMachine', () => {
  it('is loopback, or a connection from the very address it reached', () => {
    expect(isThisMachine('127.0.0.1', '127.0.0.1')).toBe(true);
    expect(isThisMachine('::1', '::1')).toBe(true);
    expect(isThisMachine('192.168.1.5', '192.168.1.5')).toBe(true);
    expect(isThisMachine('::ffff:192.168.1.5', '::ffff:192.168.1.5')).toBe(true);
  });
  it('is not another LAN peer, nor a socket that lost its addresses', () => {
    expect(isThisMachine('192.168.1.6', '192.168.1.5')).toBe(false);
    expect(isThisMachine(undefined, undefined)).toBe(false);
    expect(isThisMachine('', '')).toBe(false);
  });
});
