// The bcrypt KDF rounds of an encrypted OpenSSH private key, read from its header without running the
// KDF: ssh2 runs bcrypt_pbkdf synchronously with whatever count the key names, so a hostile key with
// 2^32 rounds would freeze the bridge. Mirrors ssh2's own reading (protocol/keyParser.js) field by field.
import { AppError } from '../core/errors.js';

// ssh2's pattern for the OpenSSH format, applied like ssh2 to the trimmed text.
const OPENSSH_KEY = /^-----BEGIN OPENSSH PRIVATE KEY-----(?:\r\n|\n)([\s\S]+)(?:\r\n|\n)-----END OPENSSH PRIVATE KEY-----$/;
const MAGIC = 'openssh-key-v1\0';

/** A length-prefixed string at `pos`, or null past the end (as ssh2's readString gives undefined). */
function readString(data: Buffer, pos: number): { value: Buffer; next: number } | null {
  if (pos + 4 > data.length) return null;
  const length = data.readUInt32BE(pos);
  if (pos + 4 + length > data.length) return null;
  return { value: data.subarray(pos + 4, pos + 4 + length), next: pos + 4 + length };
}

/**
 * The bcrypt rounds ssh2 would run for this key, or null when it would run none (not an OpenSSH key,
 * not encrypted, or malformed before the KDF).
 */
export function opensshKdfRounds(keyText: string): number | null {
  const match = OPENSSH_KEY.exec(keyText.trim());
  if (!match) return null;
  const data = Buffer.from(match[1]!, 'base64');
  if (data.length < 31 || data.toString('utf8', 0, MAGIC.length) !== MAGIC) return null;
  const cipher = readString(data, MAGIC.length);
  const kdf = cipher && readString(data, cipher.next);
  const options = kdf && readString(data, kdf.next);
  if (!options || kdf.value.toString('utf8') !== 'bcrypt') return null;
  const salt = readString(options.value, 0);
  if (!salt || salt.next + 4 > options.value.length) return null;
  return options.value.readUInt32BE(salt.next);
}

/** A 400 before any parse when the key asks for more KDF rounds than the bridge allows. */
export function assertKdfRoundsWithin(keyText: string, maxRounds: number, field: string): void {
  const rounds = opensshKdfRounds(keyText);
  if (rounds !== null && rounds > maxRounds) {
    throw new AppError(
      'invalid',
      `${field}: the key's passphrase protection asks for ${rounds} bcrypt rounds, more than this bridge allows (${maxRounds}, SSH_KEY_MAX_KDF_ROUNDS); ` +
        'OpenSSH uses 16 unless told otherwise (ssh-keygen -a)',
    );
  }
}
