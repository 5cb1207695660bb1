// Opening one authenticated ssh2 connection: our own TCP socket (Nagle off), trust-on-first-use host
// keys, password / key / keyboard-interactive auth, one overall timeout, and ssh2's errors turned into
// AppErrors that say which failure it was. This is the one place that knows ssh2's error shapes.
import net from 'node:net';
import type { Duplex } from 'node:stream';
import ssh2, { type AnyAuthMethod, type Client, type ConnectConfig, type KeyboardInteractiveCallback, type ParsedKey, type Prompt } from 'ssh2';
import { AppError, errorMessage } from '../core/errors.js';
import { routeKey, type HostKeyStore, type HostRoute, type PinLearner } from './host-keys.js';

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
  /** Its privateKey text is not read here: the key comes parsed, in `key`. */
  endpoint: SshEndpoint;
  /** The endpoint's private key as PrivateKeyParser decrypted it: ssh2 runs no KDF on it here. */
  key?: ParsedKey | undefined;
  hostKeys: HostKeyStore;
  /** How the host is reached: its key is pinned for this route only. */
  route: HostRoute;
  learnedBy: PinLearner;
  timeoutMs: number;
  keepaliveIntervalMs: number;
  /** A ready transport (jump host forward, container socat); otherwise a TCP socket is opened. */
  sock?: Duplex;
  /** The address the TCP socket goes to when the name was resolved and checked already (devices). */
  connectAddress?: string | undefined;
}

export interface OpenedConnection {
  client: Client;
  hostKeyFingerprint: string;
}

export function openSshConnection(options: OpenConnectionOptions): Promise<OpenedConnection> {
  const { endpoint } = options;
  const where = `${endpoint.hostname}:${endpoint.port}`;
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

    client.on('keyboard-interactive', (_name, _instructions, _lang, prompts, finish) => answerPrompts(endpoint, prompts, finish));
    client.on('ready', () => {
      if (options.key) forgetPrivateKey(options.key);
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
        const checked = checkHostKey(options, where, key);
        fingerprint = checked.fingerprint;
        hostKeyProblem = checked.problem;
        // Refused before authentication starts, so no password is ever sent to this host.
        return checked.problem === null;
      },
    };
    if (endpoint.password !== undefined) config.password = endpoint.password;
    if (options.key) config.authHandler = authMethods(endpoint, options.key);
    try {
      client.connect(config);
    } catch (error) {
      fail(new AppError('invalid', `Cannot start SSH connection: ${errorMessage(error)}`));
    }
  });
}

/** The host key against its pin for this route: a changed key is a problem that says how to forget the old one. */
function checkHostKey(options: OpenConnectionOptions, where: string, key: Buffer): { fingerprint: string; problem: AppError | null } {
  const { endpoint } = options;
  const check = options.hostKeys.check({ hostname: endpoint.hostname, port: endpoint.port, route: options.route, learnedBy: options.learnedBy }, key);
  if (check.result !== 'changed') return { fingerprint: check.fingerprint, problem: null };
  const route = routeKey(options.route);
  const forget = `DELETE /ssh/host-keys?hostname=${endpoint.hostname}&port=${endpoint.port}${route === 'direct' ? '' : `&route=${encodeURIComponent(route)}`}`;
  const problem = new AppError(
    'upstream_failed',
    `SSH host key changed for ${where}${route === 'direct' ? '' : ` (route ${route})`}: expected ${check.expected}, got ${check.fingerprint}. ` +
      'Refusing to connect and no password was sent. If the host was reinstalled, the owner can forget its old key ' +
      `(${forget}) and connect again.`,
  );
  return { fingerprint: check.fingerprint, problem };
}

/**
 * Drops the decrypted private half of a key once it has logged in: ssh2 keeps the auth method that
 * succeeded (and its config) for the connection's lifetime, and needs the key no more. ssh2 holds the
 * PEM under a private symbol, so it is found by value; isPrivateKey() then answers false, which the
 * tests check, so a change in ssh2 that defeats this shows up there.
 */
export function forgetPrivateKey(key: ParsedKey): void {
  const pem = key.getPrivatePEM();
  const fields = key as unknown as Record<symbol, unknown>;
  for (const symbol of Object.getOwnPropertySymbols(key)) {
    if (fields[symbol] === pem) fields[symbol] = null;
  }
}

/** Many clusters only offer keyboard-interactive: every prompt is answered with the password. */
function answerPrompts(endpoint: SshEndpoint, prompts: Prompt[], finish: KeyboardInteractiveCallback): void {
  finish(prompts.map(() => endpoint.password ?? ''));
}

/**
 * ssh2's own order of attempts (none, password, public key, keyboard-interactive), with the key already
 * parsed: given as `privateKey` text, ssh2 would parse it (and run its KDF) again.
 */
function authMethods(endpoint: SshEndpoint, key: ParsedKey): AnyAuthMethod[] {
  const username = endpoint.username;
  return [
    { type: 'none', username },
    ...(endpoint.password !== undefined ? [{ type: 'password' as const, username, password: endpoint.password }] : []),
    { type: 'publickey', username, key },
    { type: 'keyboard-interactive', username, prompt: (_name, _instructions, _lang, prompts, finish) => answerPrompts(endpoint, prompts, finish) },
  ];
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
