// Changing files over SFTP against a real sshd: a 200 MiB tus upload cut off mid-way and resumed (byte
// for byte), ETag text edits with a conflict, mkdir/rename/delete, permission errors and 404/409.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startBridge, type TestBridge } from '../support/bridge.js';
import { startSshd, type Sshd } from '../support/sshd.js';
import { connectBody } from '../support/ssh-test-kit.js';
import { tusCreate, tusHead, tusPatch, sha256File } from '../support/tus-client.js';

const account = inject('testAccount');
const UPLOAD_BYTES = 200 * 1024 * 1024;
let sshd: Sshd;
let t: TestBridge;
let dir: string;
let source: string;
let uid: number;
let gid: number;

const own = (p: string) => fs.chownSync(p, uid, gid);
const post = (route: string, body: Record<string, unknown>) => t.api('POST', route, { user_id: 'alice', ...body });

beforeAll(async () => {
  uid = Number(execFileSync('id', ['-u', account.username]).toString());
  gid = Number(execFileSync('id', ['-g', account.username]).toString());
  dir = path.join(account.home, `vl-changes-${process.pid}`);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir);
  own(dir);
  // Root's own folder, readable but closed to writes by the test account.
  fs.mkdirSync(path.join(dir, 'locked'), { mode: 0o755 });
  fs.writeFileSync(path.join(dir, 'locked', 'root.txt'), 'root');
  source = path.join(fs.mkdtempSync(path.join(process.env.TMPDIR ?? '/tmp', 'vl-upload-')), 'source.bin');
  execFileSync('head', ['-c', String(UPLOAD_BYTES), '/dev/urandom'], { stdio: ['ignore', fs.openSync(source, 'w'), 'inherit'] });
  sshd = await startSshd();
  t = await startBridge();
  expect((await t.api('POST', '/ssh/connect', connectBody(sshd, account))).status).toBe(200);
}, 120_000);
afterAll(async () => {
  await t?.close();
  await sshd?.stop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
  if (source) fs.rmSync(path.dirname(source), { recursive: true, force: true });
});

describe('tus upload over SFTP', () => {
  it('survives a cut connection: resumes from the offset that landed and ends byte for byte equal', async () => {
    const target = path.join(dir, 'big.bin');
    const created = await tusCreate(t, { user_id: 'alice', path: target }, UPLOAD_BYTES);
    expect(created.status).toBe(201);
    const url = created.location;
    // Cut the client's socket once ~80 MiB are out.
    const first = await tusPatch(t, url, 0, source, { cutAfterBytes: 80 * 1024 * 1024 });
    expect(first.cut).toBe(true);
    const offset = await tusHead(t, url);
    expect(offset.status).toBe(200);
    expect(offset.offset).toBeGreaterThan(0);
    expect(offset.offset).toBeLessThan(UPLOAD_BYTES);
    // Nothing half-written under the real name; the bytes so far sit under a hidden temporary name.
    expect(fs.existsSync(target)).toBe(false);
    const temp = fs.readdirSync(dir).filter((n) => n.startsWith('.big.bin.vigilink-'));
    expect(temp).toHaveLength(1);
    expect(fs.statSync(path.join(dir, temp[0]!)).size).toBe(offset.offset);
    // A PATCH at the wrong offset is refused.
    expect((await tusPatch(t, url, 0, source)).status).toBe(409);
    const rest = await tusPatch(t, url, offset.offset, source);
    expect(rest.status).toBe(204);
    expect(rest.offset).toBe(UPLOAD_BYTES);
    expect(fs.statSync(target).size).toBe(UPLOAD_BYTES);
    expect(await sha256File(target)).toBe(await sha256File(source));
    expect(fs.statSync(target).uid).toBe(uid);
    expect(fs.readdirSync(dir).filter((n) => n.includes('.vigilink-'))).toEqual([]);
    // The finished upload is gone.
    expect((await tusHead(t, url)).status).toBe(404);
  }, 300_000);

  it('refuses an existing name unless overwrite, and a closed folder with 403', async () => {
    fs.writeFileSync(path.join(dir, 'taken.txt'), 'x');
    own(path.join(dir, 'taken.txt'));
    expect((await tusCreate(t, { user_id: 'alice', path: path.join(dir, 'taken.txt') }, 3)).status).toBe(409);
    const replace = await tusCreate(t, { user_id: 'alice', path: path.join(dir, 'taken.txt'), overwrite: 'true' }, 0);
    expect(replace.status).toBe(201);
    expect(fs.readFileSync(path.join(dir, 'taken.txt'), 'utf8')).toBe('');
    const denied = await tusCreate(t, { user_id: 'alice', path: path.join(dir, 'locked', 'new.bin') }, 3);
    expect(denied.status).toBe(403);
    expect(denied.body.detail).toMatch(/Permission denied/);
    expect((await tusCreate(t, { user_id: 'alice', path: path.join(dir, 'nope', 'new.bin') }, 3)).status).toBe(404);
    expect((await tusCreate(t, { user_id: 'alice', path: 'x' }, -1)).status).toBe(400);
  });
});

describe('text edits with an ETag', () => {
  it('saves over the version read, and answers 409 (with the current ETag) when the file changed', async () => {
    const file = path.join(dir, 'run.sh');
    fs.writeFileSync(file, '#!/bin/sh\necho one\n', { mode: 0o755 });
    fs.chmodSync(file, 0o755);
    own(file);
    const read = await t.api('GET', `/api/fs/text?user_id=alice&path=${encodeURIComponent(file)}`);
    expect(read.status).toBe(200);
    expect(read.body.text).toBe('#!/bin/sh\necho one\n');
    expect(read.headers.get('etag')).toBe(read.body.etag);
    // Someone else changes it meanwhile.
    fs.appendFileSync(file, 'echo two\n');
    const stale = await t.api('PUT', '/api/fs/text', { user_id: 'alice', path: file, text: 'mine' }, { headers: { 'if-match': read.body.etag } });
    expect(stale.status).toBe(409);
    expect(stale.body.detail).toMatch(/changed since it was read/);
    expect(stale.body.etag).not.toBe(read.body.etag);
    expect(fs.readFileSync(file, 'utf8')).toBe('#!/bin/sh\necho one\necho two\n');
    // Without If-Match an existing file is not overwritten.
    expect((await t.api('PUT', '/api/fs/text', { user_id: 'alice', path: file, text: 'mine' })).status).toBe(409);
    const saved = await t.api('PUT', '/api/fs/text', { user_id: 'alice', path: file, text: '#!/bin/sh\necho mine\n' }, { headers: { 'if-match': stale.body.etag } });
    expect(saved.status).toBe(200);
    expect(fs.readFileSync(file, 'utf8')).toBe('#!/bin/sh\necho mine\n');
    // The mode survives the temporary-name-and-rename.
    expect(fs.statSync(file).mode & 0o777).toBe(0o755);
    const forced = await t.api('PUT', '/api/fs/text', { user_id: 'alice', path: file, text: 'forced' }, { headers: { 'if-match': '*' } });
    expect(forced.status).toBe(200);
    const created = await t.api('PUT', '/api/fs/text', { user_id: 'alice', path: path.join(dir, 'new.txt'), text: 'héllo' });
    expect(created.status).toBe(200);
    expect(fs.readFileSync(path.join(dir, 'new.txt'), 'utf8')).toBe('héllo');
    const denied = await t.api('PUT', '/api/fs/text', { user_id: 'alice', path: path.join(dir, 'locked', 'root.txt'), text: 'x' }, { headers: { 'if-match': '*' } });
    expect(denied.status).toBe(403);
    expect(fs.readFileSync(path.join(dir, 'locked', 'root.txt'), 'utf8')).toBe('root');
    expect(fs.readdirSync(dir).filter((n) => n.includes('.vigilink-'))).toEqual([]);
  });
});

describe('mkdir, rename, delete', () => {
  it('makes, moves and deletes, with 404, 409 and 403 where they belong', async () => {
    const made = await post('/api/fs/mkdir', { path: path.join(dir, 'box') });
    expect(made.status).toBe(200);
    expect(made.body).toMatchObject({ path: path.join(dir, 'box'), type: 'dir' });
    expect((await post('/api/fs/mkdir', { path: path.join(dir, 'box') })).status).toBe(409);
    expect((await post('/api/fs/mkdir', { path: path.join(dir, 'no', 'such') })).status).toBe(404);
    expect((await post('/api/fs/mkdir', { path: path.join(dir, 'locked', 'mine') })).status).toBe(403);

    fs.writeFileSync(path.join(dir, 'box', 'a.txt'), 'a');
    own(path.join(dir, 'box', 'a.txt'));
    fs.writeFileSync(path.join(dir, 'b.txt'), 'b');
    own(path.join(dir, 'b.txt'));
    const moved = await post('/api/fs/rename', { from: path.join(dir, 'b.txt'), to: path.join(dir, 'box', 'b.txt') });
    expect(moved.status).toBe(200);
    expect(fs.readFileSync(path.join(dir, 'box', 'b.txt'), 'utf8')).toBe('b');
    expect((await post('/api/fs/rename', { from: path.join(dir, 'box', 'a.txt'), to: path.join(dir, 'box', 'b.txt') })).status).toBe(409);
    expect(fs.readFileSync(path.join(dir, 'box', 'b.txt'), 'utf8')).toBe('b');
    expect((await post('/api/fs/rename', { from: path.join(dir, 'gone'), to: path.join(dir, 'x') })).status).toBe(404);
    expect((await post('/api/fs/rename', { from: path.join(dir, 'locked', 'root.txt'), to: path.join(dir, 'stolen.txt') })).status).toBe(403);

    const folder = await post('/api/fs/delete', { path: path.join(dir, 'box') });
    expect(folder.status).toBe(409);
    expect(folder.body.detail).toMatch(/recursive/);
    expect(fs.existsSync(path.join(dir, 'box', 'a.txt'))).toBe(true);
    expect((await post('/api/fs/delete', { path: path.join(dir, 'locked', 'root.txt') })).status).toBe(403);
    expect((await post('/api/fs/delete', { path: path.join(dir, 'box', 'a.txt') })).status).toBe(200);
    expect(fs.existsSync(path.join(dir, 'box', 'a.txt'))).toBe(false);
    fs.mkdirSync(path.join(dir, 'box', 'deep', 'er'), { recursive: true });
    for (const p of ['deep', 'deep/er']) own(path.join(dir, 'box', p));
    const tree = await post('/api/fs/delete', { path: path.join(dir, 'box'), recursive: true });
    expect(tree.status).toBe(200);
    expect(tree.body).toEqual({ path: path.join(dir, 'box'), deleted: true });
    expect(fs.existsSync(path.join(dir, 'box'))).toBe(false);
    expect((await post('/api/fs/delete', { path: path.join(dir, 'box') })).status).toBe(404);

    // Each change is in the audit log, refused ones included, with the path and never the contents.
    const audit = await t.api('GET', '/api/audit?user_id=alice');
    const events = audit.body.entries.map((e: { event: string; ok: boolean; details: Record<string, unknown> }) => `${e.event} ${e.ok} ${e.details.path ?? e.details.to}`);
    expect(events).toContain(`file.mkdir true ${path.join(dir, 'box')}`);
    expect(events).toContain(`file.rename true ${path.join(dir, 'box', 'b.txt')}`);
    expect(events).toContain(`file.delete false ${path.join(dir, 'locked', 'root.txt')}`);
    expect(events).toContain(`file.delete true ${path.join(dir, 'box')}`);
  });

  it('answers bad input with 400 JSON and changes nothing', async () => {
    for (const [route, body] of [
      ['/api/fs/mkdir', { path: '' }],
      ['/api/fs/rename', { from: 'a' }],
      ['/api/fs/delete', { path: 'x', recursive: 'yes' }],
    ] as const) {
      const res = await post(route, body);
      expect(res.status).toBe(400);
      expect(typeof res.body.detail).toBe('string');
    }
    const patch = await new Promise<number>((resolve) => {
      const req = http.request(`${t.baseUrl}/api/fs/uploads/nope`, { method: 'PATCH', headers: { authorization: `Bearer ${t.token}` } }, (res) => resolve(res.statusCode ?? 0));
      req.end('x');
    });
    expect(patch).toBe(404);
  });
});
