// After a reliability run: no password, key or token in the bridge's log, its data dir, `docker inspect`
// of the containers it made, or the process list. Answers where each secret was found (empty: clean).
import fs from 'node:fs';
import path from 'node:path';
import { OWNER_TOKEN_FILE } from '../../bridge/auth/owner-token.js';
import { bridgeContainers, docker } from './docker.js';

export interface SweepOptions {
  dataDir: string;
  /** name -> secret text; short ones are refused (they would match by chance). */
  secrets: ReadonlyMap<string, string>;
  /** The owner token, which belongs in its own file (mode 0600) and nowhere else. */
  ownerToken: string;
}

function filesUnder(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true, recursive: true }).filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name));
}

/**
 * A running bridge writes state atomically: a `.tmp` file seen by the listing may be renamed into place
 * before it is read. Its content is then read under the final name, so a vanished file is skipped.
 */
function readIfStillThere(file: string): string | null {
  try {
    return fs.readFileSync(file, 'latin1');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

/** Every process's command line (what `ps -eo args` shows), read from /proc. */
function commandLines(): string {
  const lines: string[] = [];
  for (const entry of fs.readdirSync('/proc').filter((e) => /^\d+$/.test(e))) {
    try {
      lines.push(fs.readFileSync(`/proc/${entry}/cmdline`, 'latin1').replaceAll('\0', ' '));
    } catch {
      // The process ended while we looked.
    }
  }
  return lines.join('\n');
}

export async function sweepForSecrets(options: SweepOptions): Promise<string[]> {
  const places = new Map<string, string>();
  for (const file of filesUnder(options.dataDir)) {
    const text = readIfStillThere(file);
    if (text !== null) places.set(`file ${path.relative(options.dataDir, file)}`, text);
  }
  for (const container of await bridgeContainers(options.dataDir)) {
    places.set(`docker inspect ${container.name}`, JSON.stringify(await docker.getContainer(container.id).inspect()));
  }
  places.set('process list', commandLines());
  const secrets = new Map(options.secrets);
  secrets.set('owner token', options.ownerToken);
  const found: string[] = [];
  for (const [name, secret] of secrets) {
    if (secret.length < 8) throw new Error(`secret '${name}' is too short to search for`);
    for (const [place, text] of places) {
      if (name === 'owner token' && place === `file ${OWNER_TOKEN_FILE}`) continue;
      if (text.includes(Buffer.from(secret, 'utf8').toString('latin1'))) found.push(`${name} in ${place}`);
    }
  }
  return found;
}
