// Reading an encrypted OpenSSH key's bcrypt rounds without running the KDF, and refusing too many.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { assertKdfRoundsWithin, opensshKdfRounds } from '../../../bridge/ssh/private-key-kdf.js';
import { PrivateKeyParser } from '../../../bridge/ssh/private-key-parser.js';
import { withKdfRounds } from '../../fixtures/ssh-keys/kdf-rounds.js';

let encrypted: string;
let plain: string;
let publicKey: string;

beforeAll(() => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigilink-kdf-'));
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-a', '16', '-N', 'secret', '-f', path.join(dir, 'enc')]);
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', path.join(dir, 'plain')]);
  encrypted = fs.readFileSync(path.join(dir, 'enc'), 'utf8');
  plain = fs.readFileSync(path.join(dir, 'plain'), 'utf8');
  publicKey = fs.readFileSync(path.join(dir, 'plain.pub'), 'utf8');
});

describe('opensshKdfRounds', () => {
  it('reads the rounds ssh-keygen wrote', () => {
    expect(opensshKdfRounds(encrypted)).toBe(16);
    expect(opensshKdfRounds(withKdfRounds(encrypted, 0xffffffff))).toBe(0xffffffff);
  });

  it('reads them as ssh2 would from CRLF text with surrounding blanks', () => {
    expect(opensshKdfRounds(`\n  ${withKdfRounds(encrypted, 5000).replace(/\n/g, '\r\n')}  \n`)).toBe(5000);
  });

  it('is null for keys whose parse runs no KDF', () => {
    expect(opensshKdfRounds(plain)).toBeNull();
    expect(opensshKdfRounds('not a key')).toBeNull();
    expect(opensshKdfRounds('-----BEGIN OPENSSH PRIVATE KEY-----\nAAAA\n-----END OPENSSH PRIVATE KEY-----')).toBeNull();
  });
});

describe('assertKdfRoundsWithin and PrivateKeyParser', () => {
  it('refuses a key asking for more rounds than allowed, at once, naming the field', async () => {
    const hostile = withKdfRounds(encrypted, 0xffffffff);
    const started = performance.now();
    expect(() => assertKdfRoundsWithin(hostile, 1024, 'jump.private_key')).toThrow(/^jump\.private_key: .*4294967295 bcrypt rounds.*\(1024, SSH_KEY_MAX_KDF_ROUNDS\)/);
    const parser = new PrivateKeyParser({ maxKdfRounds: 1024, timeoutMs: 60_000 });
    await expect(parser.parse(hostile, 'secret', 'private_key')).rejects.toMatchObject({ kind: 'invalid' });
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it('accepts real keys, encrypted within the cap and unencrypted, and hands back the parsed private key', async () => {
    // The connection uses this parsed key, so the KDF runs once per connect.
    expect((await new PrivateKeyParser({ maxKdfRounds: 16, timeoutMs: 60_000 }).parse(encrypted, 'secret', 'private_key')).isPrivateKey()).toBe(true);
    expect((await new PrivateKeyParser({ maxKdfRounds: 1, timeoutMs: 60_000 }).parse(plain, undefined, 'private_key')).type).toBe('ssh-ed25519');
    expect(() => assertKdfRoundsWithin(encrypted, 15, 'private_key')).toThrow(/16 bcrypt rounds/);
  });

  it('refuses a public key given as the private key, naming the field', async () => {
    const parser = new PrivateKeyParser({ maxKdfRounds: 16, timeoutMs: 60_000 });
    await expect(parser.parse(publicKey, undefined, 'jump.private_key')).rejects.toThrow(/^jump\.private_key: not a private key/);
  });
});
