// loadConfig: defaults, every variable parsed, bad values named, the result frozen.
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../../bridge/config/config.js';

describe('loadConfig', () => {
  // toMatchObject: other capabilities add their own sections (and test them next to their code).
  it('gives the documented defaults for an empty environment', () => {
    expect(loadConfig({})).toMatchObject({
      host: '0.0.0.0',
      port: 8000,
      dataDir: path.join(os.homedir(), '.vigilink'),
      logLevel: 'info',
      corsOrigins: [],
      tlsNames: [],
      allowedHosts: [],
      ownerSignIn: { linkTtlMs: 300_000, sessionIdleMs: 12 * 3600_000 },
      ssh: {
        maxSessionsPerUser: 5,
        connectTimeoutMs: 15_000,
        maxChannelsPerConnection: 8,
        keepaliveIntervalMs: 15_000,
        channelWaitMs: 30_000,
        channelsReservedForCommands: 2,
      },
      downloadStallMs: 60_000,
      commandOutputLimitBytes: 1024 * 1024,
      fsReadMaxBytes: 4 * 1024 * 1024,
      allowLocalExec: false,
    });
  });

  it('reads every variable', () => {
    const config = loadConfig({
      VIGILINK_HOST: '127.0.0.1',
      VIGILINK_PORT: '0',
      VIGILINK_DATA_DIR: 'relative/dir',
      VIGILINK_LOG_LEVEL: 'debug',
      VIGILINK_CORS_ORIGINS: ' http://a.example:5173 ,, https://b.example ',
      SSH_MAX_SESSIONS_PER_USER: '2',
      SSH_CONNECT_TIMEOUT_SECONDS: '1.5',
      SSH_MAX_CHANNELS_PER_CONNECTION: '4',
      SSH_KEEPALIVE_SECONDS: '0.5',
      COMMAND_OUTPUT_LIMIT_BYTES: '1000',
      FS_READ_MAX_BYTES: '2000',
      VIGILINK_ALLOW_LOCAL_EXEC: '1',
      VIGILINK_TLS_NAMES: 'ws.example.lan, vigilink.local',
      VIGILINK_ALLOWED_HOSTS: 'proxy.example',
      SIGNIN_LINK_TTL_SECONDS: '60',
      OWNER_SESSION_IDLE_MINUTES: '30',
      SSH_CHANNEL_WAIT_SECONDS: '5',
      SSH_CHANNELS_RESERVED_FOR_COMMANDS: '3',
      DOWNLOAD_STALL_SECONDS: '20',
    });
    expect(config).toMatchObject({
      host: '127.0.0.1',
      port: 0,
      dataDir: path.resolve('relative/dir'),
      logLevel: 'debug',
      corsOrigins: ['http://a.example:5173', 'https://b.example'],
      tlsNames: ['ws.example.lan', 'vigilink.local'],
      allowedHosts: ['proxy.example'],
      ownerSignIn: { linkTtlMs: 60_000, sessionIdleMs: 30 * 60_000 },
      ssh: {
        maxSessionsPerUser: 2,
        connectTimeoutMs: 1500,
        maxChannelsPerConnection: 4,
        keepaliveIntervalMs: 500,
        channelWaitMs: 5000,
        channelsReservedForCommands: 3,
      },
      downloadStallMs: 20_000,
      commandOutputLimitBytes: 1000,
      fsReadMaxBytes: 2000,
      allowLocalExec: true,
    });
  });

  it.each([
    ['1', true],
    ['true', true],
    ['yes', true],
    ['on', true],
    ['0', false],
    ['false', false],
    ['no', false],
    ['off', false],
    ['', false],
  ])('VIGILINK_ALLOW_LOCAL_EXEC=%j is %s', (value, expected) => {
    expect(loadConfig({ VIGILINK_ALLOW_LOCAL_EXEC: value }).allowLocalExec).toBe(expected);
  });

  it.each([
    ['VIGILINK_PORT', '70000'],
    ['VIGILINK_PORT', 'eighty'],
    ['VIGILINK_LOG_LEVEL', 'loud'],
    ['SSH_MAX_SESSIONS_PER_USER', '0'],
    ['SSH_MAX_SESSIONS_PER_USER', '2.5'],
    ['SSH_CONNECT_TIMEOUT_SECONDS', '-1'],
    ['SSH_MAX_CHANNELS_PER_CONNECTION', '65'],
    ['COMMAND_OUTPUT_LIMIT_BYTES', 'lots'],
    ['FS_READ_MAX_BYTES', '0'],
    ['VIGILINK_ALLOW_LOCAL_EXEC', 'maybe'],
  ])('rejects %s=%j naming the variable', (name, value) => {
    expect(() => loadConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [name]: value })).toThrow(new RegExp(`^Invalid configuration: ${name}: `));
  });

  it('reads the TLS variables: names as a list, the user certificate as a pair, the insecure LAN flag', () => {
    const defaults = loadConfig({});
    expect(defaults.tlsNames).toEqual([]);
    expect(defaults.tls).toEqual({ userCertificate: null, insecureLanHttp: false, checkIntervalMs: 5000 });
    const config = loadConfig({
      VIGILINK_TLS_NAMES: ' ws.lab.internal ,, box.home.arpa ',
      VIGILINK_TLS_CERT: '/etc/vigilink/cert.pem',
      VIGILINK_TLS_KEY: '/etc/vigilink/key.pem',
      VIGILINK_INSECURE_LAN_HTTP: '1',
      VIGILINK_TLS_CHECK_SECONDS: '60',
    });
    expect(config.tlsNames).toEqual(['ws.lab.internal', 'box.home.arpa']);
    expect(config.tls).toEqual({ userCertificate: { certFile: '/etc/vigilink/cert.pem', keyFile: '/etc/vigilink/key.pem' }, insecureLanHttp: true, checkIntervalMs: 60_000 });
    expect(() => loadConfig({ VIGILINK_TLS_CERT: '/etc/vigilink/cert.pem' })).toThrow(/VIGILINK_TLS_CERT and VIGILINK_TLS_KEY go together/);
  });

  it('reads the Debian mirror of `npm run image`; unset or empty leaves the image builder its default', () => {
    expect(loadConfig({}).imageBuild).toEqual({ debianMirror: null });
    expect(loadConfig({ VIGILINK_DEBIAN_MIRROR: '' }).imageBuild).toEqual({ debianMirror: null });
    expect(loadConfig({ VIGILINK_DEBIAN_MIRROR: 'http://mirror.lab/debian' }).imageBuild).toEqual({ debianMirror: 'http://mirror.lab/debian' });
  });

  it('ignores variables it does not know', () => {
    expect(loadConfig({ PATH: '/usr/bin', HOME: '/nowhere', VIGILINK_PORT: '9000' }).port).toBe(9000);
  });

  it('is frozen, nested parts too', () => {
    const config = loadConfig({});
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.ssh)).toBe(true);
    expect(Object.isFrozen(config.corsOrigins)).toBe(true);
  });
});

describe('security settings (issue 10)', () => {
  it('caps encrypted keys at 1024 bcrypt rounds unless told otherwise', () => {
    expect(loadConfig({}).ssh.maxKeyKdfRounds).toBe(1024);
    expect(loadConfig({ SSH_KEY_MAX_KDF_ROUNDS: '64' }).ssh.maxKeyKdfRounds).toBe(64);
    expect(() => loadConfig({ SSH_KEY_MAX_KDF_ROUNDS: '0' })).toThrow(/^Invalid configuration: SSH_KEY_MAX_KDF_ROUNDS: /);
  });

  it('stops a key parse after 5 s unless told otherwise', () => {
    expect(loadConfig({}).ssh.keyParseTimeoutMs).toBe(5000);
    expect(loadConfig({ SSH_KEY_PARSE_TIMEOUT_SECONDS: '0.5' }).ssh.keyParseTimeoutMs).toBe(500);
    expect(() => loadConfig({ SSH_KEY_PARSE_TIMEOUT_SECONDS: '0' })).toThrow(/^Invalid configuration: SSH_KEY_PARSE_TIMEOUT_SECONDS: /);
  });

  it('keeps devices off the workstation’s own addresses unless VIGILINK_DEVICE_LOCAL_TARGETS is on', () => {
    expect(loadConfig({}).allowDeviceLocalTargets).toBe(false);
    expect(loadConfig({ VIGILINK_DEVICE_LOCAL_TARGETS: '1' }).allowDeviceLocalTargets).toBe(true);
    expect(() => loadConfig({ VIGILINK_DEVICE_LOCAL_TARGETS: 'sometimes' })).toThrow(/^Invalid configuration: VIGILINK_DEVICE_LOCAL_TARGETS: /);
  });
});
