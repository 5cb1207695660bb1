// loadConfig for users' VPN containers: isolation, exec slots, listing size and Docker's TLS variables.
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../../bridge/config/config.js';

describe('loadConfig (VPN containers)', () => {
  it('gives the documented defaults', () => {
    const config = loadConfig({});
    expect(config.fsListMaxEntries).toBe(10_000);
    expect(config.vpn).toMatchObject({ network: '', ownNetworkInternal: false, execsPerUser: 8, execWaitMs: 10_000, dockerTlsVerify: false });
  });

  it('reads each variable', () => {
    const config = loadConfig({
      FS_LIST_MAX_ENTRIES: '50',
      VIGILINK_DOCKER_NETWORK: 'vpn-servers',
      VPN_CONTAINER_NETWORK_INTERNAL: '1',
      CONTAINER_EXECS_PER_USER: '3',
      CONTAINER_EXEC_WAIT_SECONDS: '0.5',
      DOCKER_TLS_VERIFY: '1',
      DOCKER_CERT_PATH: '/etc/docker-client',
    });
    expect(config.fsListMaxEntries).toBe(50);
    expect(config.vpn).toMatchObject({
      network: 'vpn-servers',
      ownNetworkInternal: true,
      execsPerUser: 3,
      execWaitMs: 500,
      dockerTlsVerify: true,
      dockerCertPath: '/etc/docker-client',
    });
  });

  it.each([
    ['CONTAINER_EXECS_PER_USER', '0'],
    ['CONTAINER_EXECS_PER_USER', '65'],
    ['CONTAINER_EXEC_WAIT_SECONDS', '-1'],
    ['FS_LIST_MAX_ENTRIES', '1.5'],
    ['VPN_CONTAINER_NETWORK_INTERNAL', 'maybe'],
  ])('refuses %s=%s, naming it', (name, value) => {
    expect(() => loadConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [name]: value })).toThrow(name);
  });
});
