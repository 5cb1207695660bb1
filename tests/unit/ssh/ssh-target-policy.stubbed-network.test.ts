// Which SSH targets a paired device may reach from the workstation; the network (resolver, interface
// addresses) is a chosen stub so every kind of local address can be named.
import { describe, expect, it } from 'vitest';
import { SshTargetPolicy, systemNetwork, type WorkstationNetwork } from '../../../bridge/ssh/ssh-target-policy.js';

const names = new Map<string, string[]>([
  ['cluster.example', ['203.0.113.7']],
  ['sneaky.example', ['203.0.113.8', '127.0.0.1']],
  ['metadata.example', ['169.254.169.254']],
  ['lan-self.example', ['192.168.1.5']],
]);
const network: WorkstationNetwork = {
  resolve: async (hostname) => {
    const found = names.get(hostname) ?? (/^[\d.]+$|:/.test(hostname) ? [hostname] : undefined);
    if (!found) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
    return found;
  },
  ownAddresses: () => ['127.0.0.1', '::1', '192.168.1.5', 'fd00::5', '172.17.0.1'],
};
const policy = new SshTargetPolicy({ allowDeviceLocalTargets: false, network });

describe('SshTargetPolicy for devices', () => {
  it.each([
    '127.0.0.1',
    '127.8.9.10',
    '::1',
    '::ffff:127.0.0.1',
    '::ffff:7f00:1',
    '0.0.0.0',
    '0.1.2.3',
    '::',
    '169.254.169.254',
    'fe80::1',
    '[::1]',
    '192.168.1.5',
    '172.17.0.1',
    'fd00::5',
    'metadata.example',
    'lan-self.example',
    'sneaky.example',
  ])('refuses %s with 403 naming the setting that allows it', async (hostname) => {
    await expect(policy.deviceAddress(hostname, 22, 'hostname')).rejects.toMatchObject({
      kind: 'forbidden',
      message: expect.stringMatching(/^hostname: .*is the workstation itself.*VIGILINK_DEVICE_LOCAL_TARGETS=1/),
    });
  });

  it('answers the checked address, which is what the connection then uses', async () => {
    await expect(policy.deviceAddress('cluster.example', 22, 'hostname')).resolves.toBe('203.0.113.7');
    await expect(policy.deviceAddress('198.51.100.1', 22, 'jump.hostname')).resolves.toBe('198.51.100.1');
  });

  it('says a name does not resolve as a connect would', async () => {
    await expect(policy.deviceAddress('nowhere.example', 2222, 'hostname')).rejects.toMatchObject({
      kind: 'upstream_failed',
      message: 'Unknown host: nowhere.example could not be resolved',
    });
  });

  it('checks nothing when the owner allows local targets', async () => {
    const open = new SshTargetPolicy({ allowDeviceLocalTargets: true, network });
    await expect(open.deviceAddress('127.0.0.1', 22, 'hostname')).resolves.toBeNull();
  });

  it('refuses localhost through the real resolver and interfaces', async () => {
    const real = new SshTargetPolicy({ allowDeviceLocalTargets: false, network: systemNetwork });
    await expect(real.deviceAddress('localhost', 22, 'hostname')).rejects.toMatchObject({ kind: 'forbidden' });
    // Every machine that runs the tests has an interface besides loopback (the LAN, or docker0).
    const own = systemNetwork.ownAddresses().find((address) => !address.startsWith('127.') && address !== '::1');
    expect(own).toBeDefined();
    expect(real.isWorkstationAddress(own!)).toBe(true);
  });
});
