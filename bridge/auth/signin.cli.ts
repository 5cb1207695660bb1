// `npm run signin`: print a new one-time sign-in link for the running bridge (the one `npm run serve`
// printed was used or has expired). Asks the bridge over HTTP with the owner token from the data dir.
import fs from 'node:fs';
import path from 'node:path';
import { ConfigError, loadConfig } from '../config/config.js';
import { authEndpoints } from '../contracts/auth.endpoints.js';
import { endpointUrl, type EndpointAnswer } from '../contracts/endpoint.js';
import { OWNER_TOKEN_FILE } from './owner-token.js';

class CliError extends Error {}

async function main(): Promise<void> {
  const config = loadConfig();
  const host = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
  const bridgeUrl = `http://${host.includes(':') ? `[${host}]` : host}:${config.port}`;
  const file = path.join(config.dataDir, OWNER_TOKEN_FILE);
  let token: string;
  try {
    token = fs.readFileSync(file, 'utf8').trim();
  } catch {
    throw new CliError(`No owner token at ${file}: start the bridge (npm run serve), or set VIGILINK_DATA_DIR to its data dir.`);
  }
  const response = await fetch(bridgeUrl + endpointUrl(authEndpoints.signInLink), { method: 'POST', headers: { authorization: `Bearer ${token}` } }).catch(() => {
    throw new CliError(`The bridge is not answering at ${bridgeUrl}: start it with npm run serve.`);
  });
  const answer = (await response.json().catch(() => ({}))) as EndpointAnswer<typeof authEndpoints.signInLink> & { detail?: string };
  if (!response.ok) throw new CliError(`The bridge answered ${response.status}: ${answer.detail ?? 'no detail'}`);
  process.stdout.write(`Sign-in link (works once, for ${answer.expires_in} s): ${answer.url}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof CliError || error instanceof ConfigError ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
