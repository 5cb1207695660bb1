// PrivateKeyParser in a real worker thread: every key type ssh-keygen writes comes back decrypted as a key
// that signs like the original, bad keys and passphrases are 400s, and a parse past its time limit is stopped.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import ssh2, { type ParsedKey } from 'ssh2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { unencryptedEd25519Key } from '../../../bridge/ssh/openssh-key.encoder.js';
import { forgetPrivateKey } from '../../../bridge/ssh/ssh-connect.js';
import { opensshKdfRounds } from '../../../bridge/ssh/private-key-kdf.js';
import { PrivateKeyParser } from '../../../bridge/ssh/private-key-parser.js';
import { withKdfRounds } from '../../fixtures/ssh-keys/kdf-rounds.js';

const PASSPHRASE = 'parser-secret';
const TYPES: Array<[name: string, args: string[]]> = [
  ['ed25519', ['-t', 'ed25519']],
  ['rsa', ['-t', 'rsa', '-b', '2048']],
  ['ecdsa-256', ['-t', 'ecdsa', '-b', '256']],
  ['ecdsa-384', ['-t', 'ecdsa', '-b', '384']],
  ['ecdsa-521', ['-t', 'ecdsa', '-b', '521']],
];

let dir: string;
const keys = new Map<string, { encrypted: string; publicKey: string }>();
const parser = new PrivateKeyParser({ maxKdfRounds: 1024, timeoutMs: 60_000 });

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigilink-key-parser-'));
  for (const [name, args] of TYPES) {
    const file = path.join(dir, name);
    // 2 rounds: the test is about the formats, not the KDF's cost.
    execFileSync('ssh-keygen', ['-q', ...args, '-a', '2', '-N', PASSPHRASE, '-C', `test-${name}`, '-f', file]);
    keys.set(name, { encrypted: fs.readFileSync(file, 'utf8'), publicKey: fs.readFileSync(`${file}.pub`, 'utf8') });
  }
}, 60_000);
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** What sshd does with a publickey login: verify the client's signature with the public key it has. */
function signsAsTheOriginal(key: ParsedKey, publicKeyText: string): boolean {
  const publicKey = ssh2.utils.parseKey(publicKeyText) as ParsedKey;
  const data = Buffer.from('session data to sign');
  const signature = key.sign(data);
  if (signature instanceof Error) throw signature;
  return publicKey.verify(data, signature) === true && key.getPublicSSH().equals(publicKey.getPublicSSH());
}

describe('PrivateKeyParser', () => {
  it.each(TYPES.map(([name]) => name))('decrypts an encrypted %s key into one that signs as the original', async (name) => {
    const { encrypted, publicKey } = keys.get(name)!;
    const key = await parser.parse(encrypted, PASSPHRASE, 'private_key');
    expect(key.isPrivateKey()).toBe(true);
    expect(signsAsTheOriginal(key, publicKey)).toBe(true);
  });

  it('refuses a wrong or missing passphrase with a 400 naming the field', async () => {
    const { encrypted } = keys.get('ed25519')!;
    await expect(parser.parse(encrypted, 'wrong', 'private_key')).rejects.toMatchObject({ kind: 'invalid', message: 'private_key: encrypted: the passphrase is missing or wrong' });
    await expect(parser.parse(encrypted, undefined, 'jump.private_key')).rejects.toMatchObject({ kind: 'invalid', message: 'jump.private_key: encrypted: the passphrase is missing or wrong' });
  });

  it('refuses text that is not a private key', async () => {
    await expect(parser.parse('not a key', undefined, 'jump.private_key')).rejects.toThrow(/^jump\.private_key: not a private key/);
    await expect(parser.parse(keys.get('rsa')!.publicKey, undefined, 'private_key')).rejects.toThrow(/^private_key: not a private key/);
  });

  it('stops a parse past its time limit with a 400, the event loop free meanwhile', async () => {
    const quick = new PrivateKeyParser({ maxKdfRounds: 1024, timeoutMs: 500 });
    // 1000 rounds: seconds of KDF even on an idle machine, within the rounds cap.
    const costly = withKdfRounds(keys.get('ed25519')!.encrypted, 1000);
    const histogram = monitorEventLoopDelay({ resolution: 10 });
    histogram.enable();
    // The histogram's first tick only starts its clock: a stall before it would go unseen.
    await new Promise((resolve) => setTimeout(resolve, 30));
    const started = performance.now();
    await expect(quick.parse(costly, PASSPHRASE, 'private_key')).rejects.toMatchObject({ kind: 'invalid' });
    const ms = performance.now() - started;
    histogram.disable();
    await expect(quick.parse(costly, PASSPHRASE, 'private_key')).rejects.toThrow(
      /^private_key: the key's KDF is too expensive: the key's passphrase protection \(1000 bcrypt rounds\) took more than 0.5 s \(SSH_KEY_PARSE_TIMEOUT_SECONDS\)/,
    );
    expect(ms).toBeLessThan(500 + 1500);
    // The loaded test VM alone stalls the loop up to ~90 ms; ssh2 on the loop would stall it the whole 0.5 s.
    expect(histogram.max / 1e6).toBeLessThan(250);
  });

  it('runs 2 parses at once; a third waits up to the time limit, then gets 503 with Retry-After', async () => {
    const busy = new PrivateKeyParser({ maxKdfRounds: 1024, timeoutMs: 1000 });
    const costly = withKdfRounds(keys.get('ed25519')!.encrypted, 1000);
    const results = await Promise.allSettled([1, 2, 3].map(() => busy.parse(costly, PASSPHRASE, 'private_key')));
    expect(results.map((r) => (r.status === 'rejected' ? (r.reason as { kind: string }).kind : 'parsed'))).toEqual(['invalid', 'invalid', 'unavailable']);
    expect((results[2] as PromiseRejectedResult).reason).toMatchObject({ retryAfterSeconds: 1, message: 'private_key: other SSH keys are being checked; try again in 1 s' });
  });

  it('stops the parses under way when closed', async () => {
    const closing = new PrivateKeyParser({ maxKdfRounds: 1024, timeoutMs: 60_000 });
    const parse = closing.parse(withKdfRounds(keys.get('ed25519')!.encrypted, 1000), PASSPHRASE, 'private_key');
    await new Promise((resolve) => setTimeout(resolve, 100));
    await closing.close();
    await expect(parse).rejects.toMatchObject({ kind: 'unavailable' });
  });
});

describe('forgetPrivateKey', () => {
  it.each(['ed25519', 'rsa'])('drops the private half of a decrypted %s key, keeping its public half', async (name) => {
    const key = await parser.parse(keys.get(name)!.encrypted, PASSPHRASE, 'private_key');
    const publicSsh = Buffer.from(key.getPublicSSH());
    forgetPrivateKey(key);
    expect(key.isPrivateKey()).toBe(false);
    expect(key.getPrivatePEM()).toBeNull();
    expect(key.getPublicSSH().equals(publicSsh)).toBe(true);
  });
});

describe('unencryptedEd25519Key', () => {
  it('writes a key ssh2 reads with no passphrase and no KDF, the same key', () => {
    const { encrypted, publicKey } = keys.get('ed25519')!;
    const decrypted = ssh2.utils.parseKey(encrypted, PASSPHRASE) as ParsedKey;
    const text = unencryptedEd25519Key(decrypted.getPrivatePEM());
    expect(opensshKdfRounds(text)).toBeNull();
    const reparsed = ssh2.utils.parseKey(text) as ParsedKey;
    expect(reparsed.type).toBe('ssh-ed25519');
    expect(signsAsTheOriginal(reparsed, publicKey)).toBe(true);
    // OpenSSH's own tools read it too: ssh-keygen -y derives the public key from it.
    const file = path.join(dir, 'reencoded');
    fs.writeFileSync(file, text, { mode: 0o600 });
    expect(execFileSync('ssh-keygen', ['-y', '-f', file]).toString().trim().split(' ').slice(0, 2)).toEqual(publicKey.split(' ').slice(0, 2));
  });

  it('refuses a PEM that is not ed25519', () => {
    const rsa = ssh2.utils.parseKey(keys.get('rsa')!.encrypted, PASSPHRASE) as ParsedKey;
    expect(() => unencryptedEd25519Key(rsa.getPrivatePEM())).toThrow(/not an ed25519 private key/);
  });
});
