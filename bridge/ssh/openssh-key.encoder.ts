// An unencrypted OpenSSH private key file for a decrypted ed25519 key: ssh2 hands an ed25519 key back as
// PKCS#8 PEM, which its parseKey cannot read again, and this is the one form of it ssh2 reads without a KDF.
import { createPrivateKey, randomBytes } from 'node:crypto';

const BEGIN = '-----BEGIN OPENSSH PRIVATE KEY-----';
const END = '-----END OPENSSH PRIVATE KEY-----';

function sshString(value: Buffer | string): Buffer {
  const data = typeof value === 'string' ? Buffer.from(value) : value;
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  return Buffer.concat([length, data]);
}

/** The private section's bytes padded with 1, 2, 3, ... to a whole cipher block (8 for "none"). */
function padded(section: Buffer): Buffer {
  const padding = Buffer.from(Array.from({ length: (8 - (section.length % 8)) % 8 }, (_, i) => i + 1));
  return Buffer.concat([section, padding]);
}

/**
 * The PKCS#8 PEM ssh2 gives for an ed25519 key, as an OpenSSH key file with cipher and KDF "none"
 * (PROTOCOL.key in OpenSSH's sources). It lives in memory only, like the PEM it comes from.
 */
export function unencryptedEd25519Key(privatePem: string): string {
  const jwk = createPrivateKey(privatePem).export({ format: 'jwk' });
  if (jwk.crv !== 'Ed25519' || !jwk.d || !jwk.x) throw new Error('not an ed25519 private key');
  const seed = Buffer.from(jwk.d, 'base64url');
  const pub = Buffer.from(jwk.x, 'base64url');
  const secret = Buffer.concat([seed, pub]);
  // The two equal check words are how a reader tells a right passphrase; random as ssh-keygen writes them.
  const check = randomBytes(4);
  const section = padded(Buffer.concat([check, check, sshString('ssh-ed25519'), sshString(pub), sshString(secret), sshString('')]));
  const publicBlob = Buffer.concat([sshString('ssh-ed25519'), sshString(pub)]);
  const count = Buffer.alloc(4);
  count.writeUInt32BE(1);
  const file = Buffer.concat([Buffer.from('openssh-key-v1\0'), sshString('none'), sshString('none'), sshString(''), count, sshString(publicBlob), sshString(section)]);
  return `${BEGIN}\n${file.toString('base64').match(/.{1,70}/g)!.join('\n')}\n${END}\n`;
}
