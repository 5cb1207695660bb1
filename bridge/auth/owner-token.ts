// The owner token: 256 random bits in $VIGILINK_DATA_DIR/owner.token (mode 0600), made at first start
// and reused afterwards. Compared in constant time.
import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Authenticator, Principal } from './principal.js';

export const OWNER_TOKEN_FILE = 'owner.token';

export async function loadOrCreateOwnerToken(dataDir: string): Promise<string> {
  const file = path.join(dataDir, OWNER_TOKEN_FILE);
  await fs.mkdir(dataDir, { recursive: true, mode: 0o700 });
  try {
    const existing = (await fs.readFile(file, 'utf8')).trim();
    if (existing.length >= 43) {
      await fs.chmod(file, 0o600);
      return existing;
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const token = crypto.randomBytes(32).toString('base64url');
  // 'wx' so two processes starting at once cannot both write a different token.
  try {
    await fs.writeFile(file, token + '\n', { mode: 0o600, flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return (await fs.readFile(file, 'utf8')).trim();
    throw error;
  }
  return token;
}

/** Constant-time equality of two secrets of any length (hashing first evens out the lengths). */
export function secretsEqual(a: string, b: string): boolean {
  const ha = crypto.createHash('sha256').update(a).digest();
  const hb = crypto.createHash('sha256').update(b).digest();
  return crypto.timingSafeEqual(ha, hb);
}

export class OwnerTokenAuthenticator implements Authenticator {
  constructor(private readonly token: string) {}

  authenticate(token: string): Principal | null {
    return secretsEqual(token, this.token) ? { kind: 'owner' } : null;
  }
}
