// The owner token file and its authenticator: a blank, short or unreadable token never becomes the owner's.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadOrCreateOwnerToken, OWNER_TOKEN_FILE, OwnerTokenAuthenticator } from '../../../bridge/auth/owner-token.js';
import { authenticateWith } from '../../../bridge/core/principal.js';

const dataDir = (): string => fs.mkdtempSync(path.join(os.tmpdir(), 'vigilink-token-'));

describe('loadOrCreateOwnerToken', () => {
  it('makes a 43-character token at first start and reuses it', async () => {
    const dir = dataDir();
    const token = await loadOrCreateOwnerToken(dir);
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(await loadOrCreateOwnerToken(dir)).toBe(token);
    expect(fs.statSync(path.join(dir, OWNER_TOKEN_FILE)).mode & 0o777).toBe(0o600);
  });

  it.each([
    ['empty', ''],
    ['blank', ' \n'],
    ['short', 'abc\n'],
    ['42 characters', 'x'.repeat(42)],
    ['with a space inside', `${'a'.repeat(30)} ${'b'.repeat(30)}`],
  ])('replaces a %s file with a new token, leaving no temporary file', async (_name, contents) => {
    const dir = dataDir();
    fs.writeFileSync(path.join(dir, OWNER_TOKEN_FILE), contents, { mode: 0o644 });
    const token = await loadOrCreateOwnerToken(dir);
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(fs.readFileSync(path.join(dir, OWNER_TOKEN_FILE), 'utf8').trim()).toBe(token);
    expect(fs.statSync(path.join(dir, OWNER_TOKEN_FILE)).mode & 0o777).toBe(0o600);
    expect(fs.readdirSync(dir)).toEqual([OWNER_TOKEN_FILE]);
  });

  it('gives two starts at once the same token', async () => {
    const dir = dataDir();
    const [a, b] = await Promise.all([loadOrCreateOwnerToken(dir), loadOrCreateOwnerToken(dir)]);
    expect(a).toBe(b);
  });

  it('stops the start with a clear message when the token file cannot be replaced', async () => {
    const dir = dataDir();
    // A folder where the file should be: unreadable as a token, and rename cannot replace it.
    fs.mkdirSync(path.join(dir, OWNER_TOKEN_FILE, 'inside'), { recursive: true });
    await expect(loadOrCreateOwnerToken(dir)).rejects.toThrow(/owner\.token does not hold a usable owner token .*delete it and start again/);
  });
});

describe('OwnerTokenAuthenticator', () => {
  it('refuses to be built on an empty or short token', () => {
    expect(() => new OwnerTokenAuthenticator('')).toThrow(/at least 43/);
    expect(() => new OwnerTokenAuthenticator('short')).toThrow(/at least 43/);
  });

  it('never authenticates an empty or short presented token', () => {
    const token = 'A'.repeat(43);
    const authenticator = new OwnerTokenAuthenticator(token);
    expect(authenticator.authenticate(token)).toEqual({ kind: 'owner' });
    expect(authenticator.authenticate('')).toBeNull();
    expect(authenticator.authenticate(token.slice(0, 42))).toBeNull();
  });

  it('authenticateWith never hands an empty token to any authenticator', () => {
    const permissive = { authenticate: () => ({ kind: 'owner' as const }) };
    expect(authenticateWith([permissive], '')).toBeNull();
    expect(authenticateWith([permissive], 'x')).toEqual({ kind: 'owner' });
  });
});
