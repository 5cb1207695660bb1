// lanAddresses with stubbed interface and route tables: non-internal IPv4 only, default route first.
import type os from 'node:os';
import { describe, expect, it } from 'vitest';
import { httpBase, lanAddresses } from '../../../bridge/tls/lan-addresses.js';

const v4 = (address: string, internal = false) => ({ address, family: 'IPv4', internal, netmask: '', mac: '', cidr: null }) as os.NetworkInterfaceInfo;
const v6 = (address: string) => ({ address, family: 'IPv6', internal: false, netmask: '', mac: '', cidr: null, scopeid: 0 }) as os.NetworkInterfaceInfo;

describe('lanAddresses (stubbed interfaces)', () => {
  it('lists non-internal IPv4 addresses, the default route’s interface first and virtual ones last', () => {
    const interfaces = {
      lo: [v4('127.0.0.1', true)],
      docker0: [v4('172.17.0.1')],
      wlan0: [v4('192.168.1.23'), v6('fe80::1')],
      eth0: [v4('10.0.0.5')],
    };
    expect(lanAddresses(interfaces, ['wlan0'])).toEqual([
      { interface: 'wlan0', address: '192.168.1.23' },
      { interface: 'eth0', address: '10.0.0.5' },
      { interface: 'docker0', address: '172.17.0.1' },
    ]);
    expect(lanAddresses({ lo: [v4('127.0.0.1', true)] }, [])).toEqual([]);
  });

  it('brackets IPv6 literals in URLs', () => {
    expect(httpBase('192.168.1.23', 8000)).toBe('http://192.168.1.23:8000');
    expect(httpBase('fd00::2', 8000)).toBe('http://[fd00::2]:8000');
  });
});
