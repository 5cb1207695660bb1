// Changing files in a user's VPN container against real Docker: a tus upload cut off and resumed (sha256
// checked inside the container), ETag edits with a conflict, mkdir/rename/delete, hostile names passed as
// argv, a read-only mount as 403, and another user’s device refused. Work happens in the unprivileged user’s home.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestBridge } from '../support/bridge.js';
import { startContainerStack, type ContainerStack } from '../support/container-stack.js';
import { driver } from '../support/docker.js';
import { pairDevice } from '../support/live-client.js';
import { sha256File, tusCreate, tusHead, tusPatch } from '../support/tus-client.js';

const UPLOAD_BYTES = 24 * 1024 * 1024;
let stack: ContainerStack | undefined;
let t: TestBridge;
let containerId: string;
let source: string;

const post = (route: string, body: Record<string, unknown>) => t.api('POST', route, { user_id: 'erin', ...body });
/** As the container's user, who owns its home (root there has no capabilities to write in it). */
async function inContainer(script: string, ...args: string[]): Promise<string> {
  const result = await driver.exec(containerId, { argv: ['sh', '-c', script, 'sh', ...args], asUser: true, timeoutMs: 30_000, outputLimitBytes: 1024 * 1024 });
  if (result.exitCode !== 0) throw new Error(`${script} exited ${result.exitCode}: ${result.stderr.toString('utf8')}`);
  return result.stdout.toString('utf8');
}

beforeAll(async () => {
  stack = await startContainerStack({ VPN_COOLDOWN_SECONDS: '0' });
  ({ t } = stack);
  const res = await t.api('POST', '/vpn/connect', { user_id: 'erin' });
  expect(res.status).toBe(200);
  containerId = res.body.container_id;
  const dir = fs.mkdtempSync(path.join(process.env.TMPDIR ?? '/tmp', 'vl-cupload-'));
  source = path.join(dir, 'source.bin');
  fs.writeFileSync(source, crypto.randomBytes(UPLOAD_BYTES));
}, 600_000);
afterAll(async () => {
  await stack?.close();
  if (source) fs.rmSync(path.dirname(source), { recursive: true, force: true });
});

describe('in the VPN container', () => {
  it('takes a tus upload cut mid-way and resumed, byte for byte', async () => {
    const created = await tusCreate(t, { user_id: 'erin', path: '/home/vigilink/up.bin' }, UPLOAD_BYTES);
    expect(created.status).toBe(201);
    const first = await tusPatch(t, created.location, 0, source, { cutAfterBytes: 8 * 1024 * 1024 });
    expect(first.cut).toBe(true);
    const { offset } = await tusHead(t, created.location);
    expect(offset).toBeGreaterThan(0);
    expect(offset).toBeLessThan(UPLOAD_BYTES);
    expect(await inContainer('[ -e /home/vigilink/up.bin ] && echo there || echo absent')).toBe('absent\n');
    const rest = await tusPatch(t, created.location, offset, source);
    expect(rest.status).toBe(204);
    expect(rest.offset).toBe(UPLOAD_BYTES);
    const sum = (await inContainer('sha256sum /home/vigilink/up.bin')).split(' ')[0];
    expect(sum).toBe(await sha256File(source));
    expect(await inContainer('ls -A /home/vigilink | grep -c vigilink- || true')).toBe('0\n');
  }, 300_000);

  it('edits text with an ETag and answers 409 when the file changed', async () => {
    await inContainer('printf "one\\n" > /home/vigilink/notes.txt');
    const read = await t.api('GET', '/api/fs/text?user_id=erin&path=/home/vigilink/notes.txt');
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({ path: '/home/vigilink/notes.txt', text: 'one\n' });
    await inContainer('printf "one\\ntwo\\n" > /home/vigilink/notes.txt');
    const stale = await t.api('PUT', '/api/fs/text', { user_id: 'erin', path: '/home/vigilink/notes.txt', text: 'mine' }, { headers: { 'if-match': read.body.etag } });
    expect(stale.status).toBe(409);
    const saved = await t.api('PUT', '/api/fs/text', { user_id: 'erin', path: '/home/vigilink/notes.txt', text: 'mine\n' }, { headers: { 'if-match': stale.body.etag } });
    expect(saved.status).toBe(200);
    expect(await inContainer('cat /home/vigilink/notes.txt')).toBe('mine\n');
  });

  it('makes, renames and deletes, with hostile names taken literally', async () => {
    const hostile = '/home/vigilink/$(touch pwned); -rf `id` *';
    expect((await post('/api/fs/mkdir', { path: hostile })).status).toBe(200);
    expect((await post('/api/fs/mkdir', { path: hostile })).status).toBe(409);
    expect((await post('/api/fs/mkdir', { path: '/home/vigilink/no/such' })).status).toBe(404);
    expect((await post('/api/fs/mkdir', { path: '-n' })).status).toBe(200);
    expect(await inContainer('[ -d "$1" ] && [ -d /home/vigilink/-n ] && echo ok', hostile)).toBe('ok\n');
    await inContainer('echo x > "$1/f.txt"', hostile);
    const moved = await post('/api/fs/rename', { from: `${hostile}/f.txt`, to: '/home/vigilink/f.txt' });
    expect(moved.status).toBe(200);
    expect(moved.body).toMatchObject({ path: '/home/vigilink/f.txt', type: 'file' });
    expect((await post('/api/fs/rename', { from: '/home/vigilink/notes.txt', to: '/home/vigilink/f.txt' })).status).toBe(409);
    expect((await post('/api/fs/rename', { from: '/home/vigilink/gone', to: '/home/vigilink/x' })).status).toBe(404);
    expect((await post('/api/fs/delete', { path: hostile })).status).toBe(409);
    expect((await post('/api/fs/delete', { path: hostile, recursive: true })).status).toBe(200);
    expect((await post('/api/fs/delete', { path: '/home/vigilink/f.txt' })).status).toBe(200);
    expect(await inContainer('ls -A /home/vigilink')).not.toMatch(/pwned|f\.txt|touch/);
  });

  it('answers 403 on a read-only mount, and to another user’s device', async () => {
    const ro = await post('/api/fs/mkdir', { path: '/sys/vigilink' });
    expect(ro.status).toBe(403);
    expect(ro.body.detail).toMatch(/Permission denied/);
    expect((await tusCreate(t, { user_id: 'erin', path: '/sys/up.bin' }, 1)).status).toBe(403);
    const other = await pairDevice(t, 'frank');
    const denied = await t.api('POST', '/api/fs/delete', { user_id: 'erin', path: '/home/vigilink/notes.txt' }, { token: other.token });
    expect(denied.status).toBe(403);
    expect(await inContainer('cat /home/vigilink/notes.txt')).toBe('mine\n');
  });
});
