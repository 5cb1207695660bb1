// The test account the real sshd logs into: a local user with a password and an ed25519 key.
// Created once per run (vitest globalSetup) when running as root; CI runs as root.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface TestAccount {
  username: string;
  password: string;
  home: string;
  privateKeyPath: string;
  privateKey: string;
  /** The same key, encrypted with `keyPassphrase`. */
  encryptedPrivateKey: string;
  keyPassphrase: string;
}

export const TEST_USER = 'vltest';
// A throwaway password for a local account that only loopback sshd instances of the tests accept.
export const TEST_PASSWORD = 'vl-test-Pa55word';

const missing = (what: string, install: string): Error =>
  new Error(`${what} is missing: the integration tests need it. Install it with: ${install}`);

export function ensureTestAccount(fixtureDir: string): TestAccount {
  if (!fs.existsSync('/usr/sbin/sshd')) throw missing('OpenSSH server (/usr/sbin/sshd)', 'apt-get install -y openssh-server');
  if (process.getuid?.() !== 0) throw new Error('The integration tests start sshd and create a test account, so they must run as root (CI does).');
  const exists = (() => {
    try {
      execFileSync('id', [TEST_USER], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  })();
  if (!exists) execFileSync('useradd', ['--create-home', '--shell', '/bin/bash', TEST_USER]);
  execFileSync('chpasswd', { input: `${TEST_USER}:${TEST_PASSWORD}\n` });
  const home = execFileSync('getent', ['passwd', TEST_USER]).toString().split(':')[5]!;

  fs.mkdirSync(fixtureDir, { recursive: true });
  const keyPath = path.join(fixtureDir, 'id_ed25519');
  const encryptedKeyPath = path.join(fixtureDir, 'id_ed25519_encrypted');
  const keyPassphrase = 'vl-key-passphrase';
  if (!fs.existsSync(keyPath)) {
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'vigilink-tests', '-f', keyPath]);
    fs.copyFileSync(keyPath, encryptedKeyPath);
    fs.chmodSync(encryptedKeyPath, 0o600);
    execFileSync('ssh-keygen', ['-q', '-p', '-P', '', '-N', keyPassphrase, '-f', encryptedKeyPath]);
  }
  const sshDir = path.join(home, '.ssh');
  fs.mkdirSync(sshDir, { recursive: true, mode: 0o700 });
  fs.writeFileSync(path.join(sshDir, 'authorized_keys'), fs.readFileSync(`${keyPath}.pub`));
  execFileSync('chown', ['-R', `${TEST_USER}:${TEST_USER}`, sshDir]);
  return {
    username: TEST_USER,
    password: TEST_PASSWORD,
    home,
    privateKeyPath: keyPath,
    privateKey: fs.readFileSync(keyPath, 'utf8'),
    encryptedPrivateKey: fs.readFileSync(encryptedKeyPath, 'utf8'),
    keyPassphrase,
  };
}

export const FIXTURE_DIR = path.join(os.tmpdir(), 'vigilink-test-account');
