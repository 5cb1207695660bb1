// `npm run pair -- --user alice`: pair a phone with a running (possibly headless) bridge from a terminal.
// Asks the bridge for an offer over HTTP with the owner token from the data dir and prints the QR code.
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { OWNER_TOKEN_FILE } from '../auth/owner-token.js';
import { ConfigError, loadConfig } from '../config/config.js';
import { endpointUrl, type EndpointAnswer, type EndpointSpec } from '../contracts/endpoint.js';
import { endpoints } from '../contracts/endpoints.js';
import { qrForTerminal } from '../tls/qr-images.js';

const USAGE = `Usage: npm run pair -- --user <user_id> [--name <device name>] [--url <bridge URL>] [--no-wait]

Prints a one-time QR code that pairs a phone with the bridge for <user_id>, then waits until
the phone has claimed it (or the code expires). The bridge must be running (npm run serve);
its URL defaults to VIGILINK_HOST/VIGILINK_PORT and the owner token is read from VIGILINK_DATA_DIR.`;

class CliError extends Error {}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      user: { type: 'string' },
      name: { type: 'string' },
      url: { type: 'string' },
      'no-wait': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help || !values.user) {
    process.stdout.write(USAGE + '\n');
    process.exitCode = values.help ? 0 : 2;
    return;
  }
  const config = loadConfig();
  const host = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
  const bridgeUrl = (values.url ?? `http://${host.includes(':') ? `[${host}]` : host}:${config.port}`).replace(/\/+$/, '');
  const token = readOwnerToken(config.dataDir);
  const call = async <E extends EndpointSpec>(endpoint: E, parts: { query?: object; body?: object } = {}): Promise<EndpointAnswer<E>> => {
    const body = parts.body;
    let response: Response;
    try {
      response = await fetch(bridgeUrl + endpointUrl(endpoint, parts), {
        method: endpoint.method.toUpperCase(),
        headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
        ...(body ? { body: JSON.stringify(body) } : {}),
      });
    } catch {
      throw new CliError(`The bridge is not answering at ${bridgeUrl}: start it with npm run serve (or pass --url).`);
    }
    const answer = (await response.json().catch(() => ({}))) as EndpointAnswer<E> & { detail?: string };
    if (response.status === 401) throw new CliError(`The bridge at ${bridgeUrl} refused the owner token from ${config.dataDir}: is VIGILINK_DATA_DIR the bridge's?`);
    if (!response.ok) throw new CliError(`The bridge answered ${response.status}: ${answer.detail ?? 'no detail'}`);
    return answer;
  };

  const before = new Set((await call(endpoints.pairing.devices, { query: { user_id: values.user } })).devices.map((d) => d.id));
  const offer = await call(endpoints.pairing.offer, { body: { user_id: values.user, ...(values.name ? { device_name: values.name } : {}) } });
  // The pairing link is https: a phone that does not trust this workstation's CA yet installs it first.
  const trust = await call(endpoints.tls.trust);
  if (trust.ca_fingerprint_sha256) {
    process.stdout.write(`First time on this phone? Open ${trust.trust_url} and install the certificate it offers.
`);
    process.stdout.write(`Its SHA-256 fingerprint must be ${trust.ca_fingerprint_sha256}

`);
  }
  process.stdout.write(`${await qrForTerminal(offer.url)}\n`);
  process.stdout.write(`Scan with the phone's camera to pair it for user '${offer.user_id}', or open:\n  ${offer.url}\n`);
  process.stdout.write(`The code works once and expires at ${new Date(offer.expires_at).toLocaleTimeString()} (${offer.expires_in} s).\n`);
  if (values['no-wait']) return;

  const expiresAt = Date.parse(offer.expires_at);
  while (Date.now() < expiresAt) {
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const added = (await call(endpoints.pairing.devices, { query: { user_id: values.user } })).devices.find((d) => !before.has(d.id));
    if (added) {
      process.stdout.write(`Paired: '${added.name}' (${added.id}) for user '${added.user_id}'.\n`);
      return;
    }
  }
  throw new CliError('The code expired before a phone claimed it: run the command again.');
}

function readOwnerToken(dataDir: string): string {
  const file = path.join(dataDir, OWNER_TOKEN_FILE);
  try {
    return fs.readFileSync(file, 'utf8').trim();
  } catch {
    throw new CliError(`No owner token at ${file}: start the bridge once (npm run serve), or set VIGILINK_DATA_DIR to its data dir.`);
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof CliError || error instanceof ConfigError ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
