// The bridge as a process (npm run serve): load config, listen, print where, close cleanly on signals.
import os from 'node:os';
import { createBridge } from './app.js';
import { ConfigError, loadConfig } from './config/config.js';
import { createLogger } from './core/logger.js';
import { signInUrl } from './auth/auth.routes.js';
import { LocalCaError } from './tls/local-ca.js';
import { isLoopbackAddress } from './tls/lan-scope.js';
import { UserCertificateError } from './tls/user-certificate.js';

/**
 * The URLs a person can open: plain HTTP on loopback, HTTPS on every LAN IPv4 address when bound to all
 * interfaces (the same port answers both; see bridge/tls).
 */
export function listenUrls(host: string, port: number): string[] {
  if (host !== '0.0.0.0' && host !== '::') {
    const shown = host.includes(':') ? `[${host}]` : host;
    return [`${isLoopbackAddress(host) || host === 'localhost' ? 'http' : 'https'}://${shown}:${port}`];
  }
  const lan = Object.values(os.networkInterfaces())
    .flat()
    .filter((a) => a && a.family === 'IPv4' && !a.internal)
    .map((a) => `https://${a!.address}:${port}`);
  return [`http://127.0.0.1:${port}`, ...lan];
}

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
  const logger = createLogger({ level: config.logLevel });
  let bridge;
  try {
    bridge = await createBridge(config, { logger });
  } catch (error) {
    // An unusable certificate or CA: the message names the file and what to do; no stack needed.
    if (error instanceof LocalCaError || error instanceof UserCertificateError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
  const port = await bridge.listen();
  const ca = bridge.context.tls.caCertificate();
  if (ca) process.stdout.write(`Phones trust this workstation once at http://<lan-address>:${port}/trust (CA SHA-256 ${ca.fingerprint})\n`);
  process.stdout.write(`Vigilink bridge listening on ${listenUrls(config.host, port).join(' ')}\n`);
  // Like Jupyter's token link, but the owner token itself is never printed (stdout ends up in journald):
  // a nonce that works once, for a few minutes, and opens an owner session that dies with the bridge.
  const { nonce, expiresInMs } = bridge.context.ownerSessions.issueNonce();
  const lifetime = expiresInMs >= 120_000 ? `${Math.round(expiresInMs / 60_000)} min` : `${Math.round(expiresInMs / 1000)} s`;
  process.stdout.write(`Sign-in link (works once, for ${lifetime}; \`npm run signin\` makes another): ${signInUrl(listenUrls(config.host, port)[0]!, nonce)}\n`);
  logger.info({ config: { ...config } }, 'bridge started');

  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down: closing SSH sessions and saving state');
    const force = setTimeout(() => process.exit(1), 10_000);
    force.unref();
    bridge.close().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  // SIGHUP: reload VIGILINK_TLS_CERT / VIGILINK_TLS_KEY now (or reissue the leaf if the addresses changed).
  process.on('SIGHUP', () => void bridge.context.tls.refresh());
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

void main();
