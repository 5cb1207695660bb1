// /api/fs/list, /api/fs/read and /api/fs/download over SFTP against a real sshd: modes and types,
// missing and forbidden paths, exact binary round trips, windows, /proc files, and the streamed Range
// download with backpressure and client abort.
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startBridge, type TestBridge } from '../support/bridge.js';
import { startSshd, type Sshd } from '../support/sshd.js';
import { connectBody, connectionProcesses, logLines } from '../support/ssh-test-kit.js';
import { eventually } from '../support/eventually.js';

const account = inject('testAccount');
const READ_MAX = 128 * 1024;
let sshd: Sshd;
let t: TestBridge;
let dir: string;
let binary: Buffer;

const q = (params: Record<string, string | number>) => new URLSearchParams({ user_id: 'alice', ...Object.fromEntries(Object.entries(params).map(([k, v]) => [k, String(v)])) }).toString();
const list = (p: string) => t.api('GET', `/api/fs/list?${q({ path: p })}`);
const read = (params: Record<string, string | number>) => t.api('GET', `/api/fs/read?${q(params)}`);
const download = (p: string, headers: Record<string, string> = {}) =>
  fetch(`${t.baseUrl}/api/fs/download?${q({ path: p })}`, { headers: { authorization: `Bearer ${t.token}`, ...headers } });
const channelsInUse = () => t.bridge.context.sessions.find('alice', 'default')?.channelsInUse;

beforeAll(async () => {
  const uid = Number(execFileSync('id', ['-u', account.username]).toString());
  const gid = Number(execFileSync('id', ['-g', account.username]).toString());
  dir = path.join(account.home, `vl-files-${process.pid}`);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(path.join(dir, 'sub'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'hello.txt'), 'héllo wörld\n');
  binary = crypto.randomBytes(300 * 1024 + 7);
  fs.writeFileSync(path.join(dir, 'bin.dat'), binary);
  fs.writeFileSync(path.join(dir, 'run.sh'), '#!/bin/sh\n');
  fs.writeFileSync(path.join(dir, 'naïve "name".txt'), 'n');
  fs.writeFileSync(path.join(dir, 'empty'), '');
  fs.symlinkSync('hello.txt', path.join(dir, 'link'));
  execFileSync('mkfifo', [path.join(dir, 'fifo')]);
  // A sparse 128 MiB file: big enough to see backpressure, cheap to create and to read.
  execFileSync('truncate', ['-s', '128M', path.join(dir, 'big.bin')]);
  for (const name of ['', 'sub', 'hello.txt', 'bin.dat', 'run.sh', 'naïve "name".txt', 'empty', 'fifo', 'big.bin']) fs.chownSync(path.join(dir, name), uid, gid);
  fs.lchownSync(path.join(dir, 'link'), uid, gid);
  fs.chmodSync(path.join(dir, 'sub'), 0o750);
  fs.chmodSync(path.join(dir, 'hello.txt'), 0o644);
  fs.chmodSync(path.join(dir, 'run.sh'), 0o755);
  fs.chmodSync(path.join(dir, 'fifo'), 0o600);
  // Root's own, closed to the test account.
  fs.mkdirSync(path.join(dir, 'private'), { mode: 0o700 });
  fs.chmodSync(path.join(dir, 'private'), 0o700);
  fs.writeFileSync(path.join(dir, 'secret.txt'), 'no', { mode: 0o600 });

  sshd = await startSshd();
  t = await startBridge({ FS_READ_MAX_BYTES: String(READ_MAX) });
  expect((await t.api('POST', '/ssh/connect', connectBody(sshd, account))).status).toBe(200);
});
afterAll(async () => {
  await t?.close();
  await sshd?.stop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe('GET /api/fs/list', () => {
  it('lists a directory with ls-style modes, types, sizes and mtimes, dirs first', async () => {
    const res = await list(dir);
    expect(res.status).toBe(200);
    expect(res.body.path).toBe(dir);
    const byName = Object.fromEntries(res.body.entries.map((e: { name: string }) => [e.name, e]));
    expect(res.body.entries.slice(0, 2).map((e: { name: string }) => e.name)).toEqual(['private', 'sub']);
    expect(byName['sub']).toMatchObject({ type: 'dir', mode: 'drwxr-x---' });
    expect(byName['private']).toMatchObject({ type: 'dir', mode: 'drwx------' });
    expect(byName['hello.txt']).toMatchObject({ type: 'file', mode: '-rw-r--r--', size: Buffer.byteLength('héllo wörld\n') });
    expect(byName['run.sh']).toMatchObject({ type: 'file', mode: '-rwxr-xr-x' });
    expect(byName['link']).toMatchObject({ type: 'link', mode: 'lrwxrwxrwx' });
    expect(byName['fifo']).toMatchObject({ type: 'other', mode: 'prw-------' });
    expect(byName['bin.dat'].size).toBe(binary.length);
    expect(byName['hello.txt'].mtime).toBe(Math.floor(fs.statSync(path.join(dir, 'hello.txt')).mtimeMs / 1000));
    expect(byName['naïve "name".txt']).toBeDefined();
    expect(byName['.']).toBeUndefined();
    expect(byName['..']).toBeUndefined();
  });

  it('resolves relative paths and the default "." to absolute ones (the home directory)', async () => {
    const home = await t.api('GET', '/api/fs/list?user_id=alice');
    expect(home.body.path).toBe(account.home);
    const relative = await list(path.basename(dir) + '/sub/..');
    expect(relative.body.path).toBe(dir);
  });

  it('answers 404 for a missing path and 403 for a directory it may not read, saying which', async () => {
    const missing = await list(path.join(dir, 'nope'));
    expect(missing.status).toBe(404);
    expect(missing.body.detail).toBe(`No such file or directory: ${path.join(dir, 'nope')}`);
    const forbidden = await list(path.join(dir, 'private'));
    expect(forbidden.status).toBe(403);
    expect(forbidden.body.detail).toBe(`Permission denied: ${path.join(dir, 'private')}`);
  });

  it('answers 404 without a session, and 400 for a bad path', async () => {
    const none = await t.api('GET', `/api/fs/list?user_id=nobody&path=/`);
    expect(none.status).toBe(404);
    expect((await t.api('GET', '/api/fs/list?user_id=alice&path=')).body.detail).toMatch(/^path: /);
    await eventually('every SFTP channel to close', () => channelsInUse() === 0);
  });
});

describe('GET /api/fs/read', () => {
  it('reads text as utf8 with the whole size and eof', async () => {
    const res = await read({ path: path.join(dir, 'hello.txt') });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ path: path.join(dir, 'hello.txt'), offset: 0, data: 'héllo wörld\n', encoding: 'utf8', size: 14, eof: true });
  });

  it('reads a window at an offset', async () => {
    // Offsets count bytes: 'héllo wörld\n' is 14 bytes, 'ö' takes bytes 8 and 9.
    const res = await read({ path: path.join(dir, 'hello.txt'), offset: 7, length: 3 });
    expect(res.body).toMatchObject({ offset: 7, data: 'wö', size: 14, eof: false });
    const tail = await read({ path: path.join(dir, 'hello.txt'), offset: 11, length: 100 });
    expect(tail.body).toMatchObject({ data: 'ld\n', eof: true });
    const exact = await read({ path: path.join(dir, 'hello.txt'), offset: 11, length: 3 });
    expect(exact.body).toMatchObject({ data: 'ld\n', eof: true });
    const past = await read({ path: path.join(dir, 'hello.txt'), offset: 1000 });
    expect(past.body).toMatchObject({ data: '', eof: true, size: 14 });
  });

  it('round-trips a binary file exactly with base64, in windows of FS_READ_MAX_BYTES', async () => {
    const parts: Buffer[] = [];
    let offset = 0;
    for (;;) {
      const res = await read({ path: path.join(dir, 'bin.dat'), offset, length: READ_MAX, encoding: 'base64' });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ encoding: 'base64', size: binary.length, offset });
      const data = Buffer.from(res.body.data, 'base64');
      parts.push(data);
      offset += data.length;
      if (res.body.eof) break;
      expect(data.length).toBe(READ_MAX);
    }
    expect(Buffer.concat(parts).equals(binary)).toBe(true);
    expect(parts).toHaveLength(3);
  });

  it('answers 400 for a length above FS_READ_MAX_BYTES, naming the field', async () => {
    const res = await read({ path: path.join(dir, 'bin.dat'), length: READ_MAX + 1 });
    expect(res.status).toBe(400);
    expect(res.body.detail).toMatch(/^length: at most 131072 bytes per read \(FS_READ_MAX_BYTES\)/);
    for (const [field, value] of [['offset', -1], ['length', 'ten'], ['encoding', 'hex']] as const) {
      const bad = await read({ path: path.join(dir, 'bin.dat'), [field]: value });
      expect(bad.status).toBe(400);
      expect(bad.body.detail).toMatch(new RegExp(`^${field}: `));
    }
  });

  it('reads /proc files, which report size 0', async () => {
    const res = await read({ path: '/proc/version' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ size: 0, eof: true, data: fs.readFileSync('/proc/version', 'utf8') });
  });

  it('answers 404 missing, 403 forbidden, 400 for a directory', async () => {
    expect((await read({ path: path.join(dir, 'nope') })).status).toBe(404);
    const forbidden = await read({ path: path.join(dir, 'secret.txt') });
    expect(forbidden.status).toBe(403);
    expect(forbidden.body.detail).toBe(`Permission denied: ${path.join(dir, 'secret.txt')}`);
    const directory = await read({ path: dir });
    expect(directory.status).toBe(400);
    expect(directory.body.detail).toBe(`path: ${dir} is a directory`);
    await eventually('every SFTP channel to close', () => channelsInUse() === 0);
  });
});

describe('GET /api/fs/download', () => {
  it('streams the whole file with length, disposition and Accept-Ranges', async () => {
    const res = await download(path.join(dir, 'bin.dat'));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/octet-stream');
    expect(res.headers.get('content-length')).toBe(String(binary.length));
    expect(res.headers.get('content-disposition')).toBe(`attachment; filename="bin.dat"; filename*=UTF-8''bin.dat`);
    expect(res.headers.get('accept-ranges')).toBe('bytes');
    expect(Buffer.from(await res.arrayBuffer()).equals(binary)).toBe(true);
  });

  it('encodes a name with quotes and non-ASCII letters safely', async () => {
    const res = await download(path.join(dir, 'naïve "name".txt'));
    expect(res.headers.get('content-disposition')).toBe(`attachment; filename="na_ve _name_.txt"; filename*=UTF-8''na%C3%AFve%20%22name%22.txt`);
    expect(await res.text()).toBe('n');
  });

  it.each([
    ['bytes=100-199', 100, 199],
    ['bytes=300000-', 300000, 300 * 1024 + 6],
    ['bytes=-500', 300 * 1024 + 7 - 500, 300 * 1024 + 6],
    ['bytes=65530-70000', 65530, 70000],
    ['bytes=0-0', 0, 0],
  ])('answers Range %s with 206 and exactly those bytes', async (range, start, end) => {
    const res = await download(path.join(dir, 'bin.dat'), { range });
    expect(res.status).toBe(206);
    expect(res.headers.get('content-range')).toBe(`bytes ${start}-${end}/${binary.length}`);
    expect(res.headers.get('content-length')).toBe(String(end - start + 1));
    expect(Buffer.from(await res.arrayBuffer()).equals(binary.subarray(start, end + 1))).toBe(true);
  });

  it('answers 416 with the size for a range past the end', async () => {
    const res = await download(path.join(dir, 'bin.dat'), { range: `bytes=${binary.length}-` });
    expect(res.status).toBe(416);
    expect(res.headers.get('content-range')).toBe(`bytes */${binary.length}`);
    expect(((await res.json()) as { detail: string }).detail).toBe(`Range not satisfiable: ${path.join(dir, 'bin.dat')} has ${binary.length} bytes`);
    await eventually('the file channel to close', () => channelsInUse() === 0);
  });

  it('streams files that report size 0 (/proc) whole, and an empty file as empty', async () => {
    const proc = await download('/proc/version', { range: 'bytes=0-3' });
    expect(proc.status).toBe(200);
    expect(proc.headers.get('content-length')).toBeNull();
    expect(await proc.text()).toBe(fs.readFileSync('/proc/version', 'utf8'));
    const empty = await download(path.join(dir, 'empty'));
    expect(empty.status).toBe(200);
    expect((await empty.arrayBuffer()).byteLength).toBe(0);
  });

  it('answers 404, 403 and 400 (directory) as JSON before streaming', async () => {
    const missing = await download(path.join(dir, 'nope'));
    expect(missing.status).toBe(404);
    expect(missing.headers.get('content-type')).toMatch(/^application\/json/);
    expect((await download(path.join(dir, 'secret.txt'))).status).toBe(403);
    expect((await download(dir)).status).toBe(400);
    await eventually('every channel to close', () => channelsInUse() === 0);
  });

  it('stops reading the file while the client does not read (backpressure)', async () => {
    const readBytes = () => connectionProcesses(sshd).reduce((sum, pid) => sum + rchar(pid), 0);
    const before = readBytes();
    const { res, destroy } = await openRaw(path.join(dir, 'big.bin'));
    res.pause();
    await new Promise((r) => setTimeout(r, 1000));
    const readWhilePaused = readBytes() - before;
    // Socket buffers, the SSH window and the reads in flight hold a few MiB; not the 128 MiB file.
    expect(readWhilePaused).toBeLessThan(40 * 1024 * 1024);
    destroy();
  });

  it('closes the file and its channel when the client goes away mid-download, and logs the abort', async () => {
    const { res, destroy } = await openRaw(path.join(dir, 'big.bin'));
    await new Promise((resolve) => res.once('data', resolve));
    destroy();
    await eventually('the channel to close after the abort', () => channelsInUse() === 0);
    await eventually('the aborted request to be logged', () =>
      logLines(t).some((l) => l.msg === 'request' && l.path === '/api/fs/download' && l.aborted === true),
    );
    const again = await read({ path: path.join(dir, 'hello.txt') });
    expect(again.status).toBe(200);
  });
});

function openRaw(p: string): Promise<{ res: http.IncomingMessage; destroy(): void }> {
  return new Promise((resolve, reject) => {
    const req = http.get(`${t.baseUrl}/api/fs/download?${q({ path: p })}`, { headers: { authorization: `Bearer ${t.token}` } }, (res) => {
      expect(res.statusCode).toBe(200);
      resolve({ res, destroy: () => req.destroy() });
    });
    req.on('error', (error) => (req.destroyed ? undefined : reject(error)));
  });
}

function rchar(pid: number): number {
  try {
    return Number(/rchar: (\d+)/.exec(fs.readFileSync(`/proc/${pid}/io`, 'utf8'))![1]);
  } catch {
    return 0;
  }
}
