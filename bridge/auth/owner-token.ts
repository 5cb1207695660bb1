// The owner token: 256 random bits in $VIGILINK_DATA_DIR/owner.token (mode 0600), made at first start
// and reused afterwards. Compared in constant time; an empty or short token never authenticates.
import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Authenticator, Principal } from '../core/principal.js';

export const OWNER_TOKEN_FILE = 'owner.token';
/** 32 random bytes in unpadded base64url. Anything shorter in the file was not made by us. */
export const OWNER_TOKEN_MIN_LENGTH = 43;
const TOKEN_PATTERN = /^[\x21-\x7e]+$/;

/** A token good enough to be the owner's: long and printable (a blank or truncated file is not). */
export function isUsableOwnerToken(token: string): boolean {
  return token.length >= OWNER_TOKEN_MIN_LENGTH && TOKEN_PATTERN.test(token);
}

async function readToken(file: string): Promise<string | null> {
  try {
    return (await fs.readFile(file, 'utf8')).trim();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

/** Why the bridge cannot start: the file is named, the token never is. */
function unusable(file: string, reason: string): Error {
  return new Error(`${file} does not hold a usable owner token (at least ${OWNER_TOKEN_MIN_LENGTH} printable characters) and ${reason}: delete it and start again`);
}

export async function loadOrCreateOwnerToken(dataDir: string): Promise<string> {
  const file = path.join(dataDir, OWNER_TOKEN_FILE);
  await fs.mkdir(dataDir, { recursive: true, mode: 0o700 });
  const existing = await readToken(file).catch((error: NodeJS.ErrnoException) => {
    throw unusable(file, `cannot be read (${error.code ?? 'error'})`);
  });
  if (existing !== null && isUsableOwnerToken(existing)) {
    await fs.chmod(file, 0o600);
    return existing;
  }
  // Written whole to a temporary file first, so no reader ever sees a half-written token.
  const temp = `${file}.${process.pid}.${crypto.randomBytes(6).toString('hex')}.tmp`;
  await fs.writeFile(temp, crypto.randomBytes(32).toString('base64url') + '\n', { mode: 0o600, flag: 'wx' });
  try {
    if (existing === null) {
      // link, not rename: when two processes start at once the first token stays and both read it.
      await fs.link(temp, file).catch((error: NodeJS.ErrnoException) => {
        if (error.code !== 'EEXIST') throw error;
      });
    } else {
      // A blank or short file (truncated, hand-edited) is replaced atomically.
      await fs.rename(temp, file);
    }
  } catch (error) {
    throw unusable(file, `could not be replaced (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  } finally {
    await fs.rm(temp, { force: true });
  }
  const token = await readToken(file).catch(() => null);
  if (token === null || !isUsableOwnerToken(token)) throw unusable(file, 'another process wrote one that is not');
  return token;
}

/** Constant-time equality of two secrets of any length (hashing first evens out the lengths). */
export function secretsEqual(a: string, b: string): boolean {
  const ha = crypto.createHash('sha256').update(a).digest();
  const hb = crypto.createHash('sha256').update(b).digest();
  return crypto.timingSafeEqual(ha, hb);
}

export class OwnerTokenAuthenticator implements Authenticator {
  constructor(private readonly token: string) {
    if (!isUsableOwnerToken(token)) throw new Error(`The owner token must be at least ${OWNER_TOKEN_MIN_LENGTH} printable characters`);
  }

  authenticate(token: string): Principal | null {
    // Checked again here so no path to this class (a test, the desktop app) can make '' the owner's token.
    if (!isUsableOwnerToken(token)) return null;
    return secretsEqual(token, this.token) ? { kind: 'owner' } : null;
  }
}
