// Opening one authenticated ssh2 connection: our own TCP socket (Nagle off), trust-on-first-use host
// keys, password / key / keyboard-interactive auth, one overall timeout, and ssh2's errors turned into
// AppErrors that say which failure it was. This is the one place that knows ssh2's error shapes.
import net from 'node:net';
import type { Duplex } from 'node:stream';
import ssh2, { type Client, type ConnectConfig } from 'ssh2';
import { AppError, errorMessage } from '../core/errors.js';
import { routeKey, type HostKeyStore, type HostRoute, type PinLearner } from './host-keys.js';
import { assertKdfRoundsWithin } from './private-key-kdf.js';

export interface SshCredentials {
  username: string;
  password?: string | undefined;
  privateKey?: string | undefined;
  passphrase?: string | undefined;
}

export interface SshEndpoint extends SshCredentials {
  hostname: string;
  port: number;
}

export interface OpenConnectionOptions {
  endpoint: SshEndpoint;
  hostKeys: HostKeyStore;
  /** How the host is reached: its key is pinned for this route only. */
  route: HostRoute;
  learnedBy: PinLearner;
  timeoutMs: number;
  keepaliveIntervalMs: number;
  /** The most bcrypt KDF rounds an encrypted key may ask for (ssh2 runs them on the event loop). */
  maxKeyKdfRounds: number;
  /** A ready transport (jump host forward, container socat); otherwise a TCP socket is opened. */
  sock?: Duplex;
  /** The address the TCP socket goes to when the name was resolved and checked already (devices). */
  connectAddress?: string | undefined;
}

export interface OpenedConnection {
  client: Client;
  hostKeyFingerprint: string;
}

export interface PrivateKeyCheck {
  /** The request field the key came from, for the 400's detail. */
  field: string;
  maxKdfRounds: number;
}

/** Validate a private key up front, so a bad key or passphrase is a 400 and never a 502. */
export function checkPrivateKey(privateKey: string, passphrase: string | undefined, check: PrivateKeyCheck): void {
  const { field } = check;
  // Before the parse: parsing runs the KDF, with as many rounds as the key names.
  assertKdfRoundsWithin(privateKey, check.maxKdfRounds, field);
  const parsed = ssh2.utils.parseKey(privateKey, passphrase);
  if (parsed instanceof Error) {
    const reason = /passphrase|encrypted|decrypt/i.test(parsed.message)
      ? 'encrypted: the passphrase is missing or wrong'
      : 'not a private key ssh2 can read (OpenSSH or PEM format expected)';
    throw new AppError('invalid', `${field}: ${reason}`);
  }
}

export function openSshConnection(options: OpenConnectionOptions): Promise<OpenedConnection> {
  const { endpoint, hostKeys } = options;
  const where = `${endpoint.hostname}:${endpoint.port}`;
  // ssh2 parses the key again in connect(): never with more rounds than allowed, whoever the caller.
  if (endpoint.privateKey !== undefined) {
    try {
      assertKdfRoundsWithin(endpoint.privateKey, options.maxKeyKdfRounds, 'private_key');
    } catch (error) {
      options.sock?.destroy();
      return Promise.reject(error);
    }
  }
  return new Promise<OpenedConnection>((resolve, reject) => {
    const client = new ssh2.Client();
    let settled = false;
    let fingerprint = '';
    let hostKeyProblem: AppError | null = null;
    let sock: Duplex;

    const fail = (error: AppError): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      client.removeAllListeners('ready');
      client.on('error', () => undefined);
      client.end();
      sock.destroy();
      reject(error);
    };

    const timer = setTimeout(
      () => fail(new AppError('upstream_failed', `SSH connection to ${where} timed out after ${options.timeoutMs / 1000} s`)),
      options.timeoutMs,
    );

    if (options.sock) {
      sock = options.sock;
    } else {
      const tcp = net.connect({ host: options.connectAddress ?? endpoint.hostname, port: endpoint.port });
      // One command is a few small packets each way: Nagle's algorithm would hold them ~40 ms.
      tcp.setNoDelay(true);
      tcp.on('error', (error: NodeJS.ErrnoException) => fail(normaliseConnectError(error, where)));
      sock = tcp;
    }

    client.on('keyboard-interactive', (_name, _instructions, _lang, prompts, finish) => {
      // Many clusters only offer keyboard-interactive: answer every prompt with the password.
      finish(prompts.map(() => endpoint.password ?? ''));
    });
    client.on('ready', () => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      client.removeAllListeners('error');
      client.removeAllListeners('close');
      // SshSession adds the real listeners; until then (a jump host waits for its target's handshake) a
      // late error must not crash the process. The 'close' that follows tells the session it is gone.
      client.on('error', () => undefined);
      resolve({ client, hostKeyFingerprint: fingerprint });
    });
    client.on('error', (error: Error & { level?: string; code?: string }) => {
      if (hostKeyProblem) fail(hostKeyProblem);
      else fail(normaliseConnectError(error, where, endpoint.username));
    });
    client.on('close', () => fail(new AppError('upstream_failed', `SSH connection to ${where} closed during the handshake`)));

    const config: ConnectConfig = {
      sock,
      username: endpoint.username,
      tryKeyboard: true,
      readyTimeout: options.timeoutMs,
      keepaliveInterval: options.keepaliveIntervalMs,
      keepaliveCountMax: 3,
      hostVerifier: (key: Buffer) => {
        const check = hostKeys.check({ hostname: endpoint.hostname, port: endpoint.port, route: options.route, learnedBy: options.learnedBy }, key);
        fingerprint = check.fingerprint;
        if (check.result !== 'changed') return true;
        const route = routeKey(options.route);
        const forget = `DELETE /ssh/host-keys?hostname=${endpoint.hostname}&port=${endpoint.port}${route === 'direct' ? '' : `&route=${encodeURIComponent(route)}`}`;
        // Refused before authentication starts, so no password is ever sent to this host.
        hostKeyProblem = new AppError(
          'upstream_failed',
          `SSH host key changed for ${where}${route === 'direct' ? '' : ` (route ${route})`}: expected ${check.expected}, got ${check.fingerprint}. ` +
            'Refusing to connect and no password was sent. If the host was reinstalled, the owner can forget its old key ' +
            `(${forget}) and connect again.`,
        );
        return false;
      },
    };
    if (endpoint.password !== undefined) config.password = endpoint.password;
    if (endpoint.privateKey !== undefined) {
      config.privateKey = endpoint.privateKey;
      if (endpoint.passphrase !== undefined) config.passphrase = endpoint.passphrase;
    }
    try {
      client.connect(config);
    } catch (error) {
      fail(new AppError('invalid', `Cannot start SSH connection: ${errorMessage(error)}`));
    }
  });
}

export function normaliseConnectError(error: Error & { level?: string; code?: string }, where: string, username?: string): AppError {
  if (error.level === 'client-authentication') {
    return new AppError('upstream_failed', `SSH authentication failed for ${username}@${where}: the server rejected the password or key`);
  }
  if (error.level === 'client-timeout') return new AppError('upstream_failed', `SSH connection to ${where} timed out during the handshake`);
  switch (error.code) {
    case 'ECONNREFUSED':
      return new AppError('upstream_failed', `Connection refused by ${where}: no SSH server is listening there`);
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
    case 'EHOSTDOWN':
      return new AppError('upstream_failed', `Host unreachable: ${where} (check the VPN or the address)`);
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new AppError('upstream_failed', `Unknown host: ${where.split(':')[0]} could not be resolved`);
    case 'ETIMEDOUT':
      return new AppError('upstream_failed', `SSH connection to ${where} timed out`);
    case 'ECONNRESET':
      return new AppError('upstream_failed', `Connection to ${where} was reset by the host`);
    default:
      return new AppError('upstream_failed', `SSH connection to ${where} failed: ${error.message}`);
  }
}
