// The audit log against a real sshd: pairing, SSH connect/disconnect/drop, commands run and revocation
// each leave one JSON line with user, device and address, and never a secret or a command's output.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { AuditEntry } from '../../bridge/contracts/audit.js';
import { startBridge, type TestBridge } from '../support/bridge.js';
import { eventually } from '../support/eventually.js';
import { killSshdTree, pairDevice, type PairedDevice } from '../support/live-client.js';
import { startSshd, type Sshd } from '../support/sshd.js';

const account = inject('testAccount');
let sshd: Sshd;
let t: TestBridge;
let phone: PairedDevice;

beforeAll(async () => {
  sshd = await startSshd();
  // Its phone connects to the loopback sshd, which devices may only do when the owner allows it.
  t = await startBridge({ VIGILINK_DEVICE_LOCAL_TARGETS: '1' });
  phone = await pairDevice(t, 'alice', 'audit phone');
});
afterAll(async () => {
  await t?.close();
  await sshd?.stop();
});

async function audit(query = ''): Promise<AuditEntry[]> {
  const res = await t.api('GET', `/api/audit${query}`);
  expect(res.status).toBe(200);
  return res.body.entries;
}

const isLoopback = (address: string | null): boolean => address === '127.0.0.1' || address === '::ffff:127.0.0.1';

describe('audit.log', () => {
  it('records the pairing offer (owner) and the claim (the new device)', async () => {
    const entries = await audit();
    const offer = entries.find((e) => e.event === 'pair.offer');
    const claim = entries.find((e) => e.event === 'pair.claim');
    expect(offer).toMatchObject({ ok: true, user_id: 'alice', actor: 'owner', device_id: null });
    expect(isLoopback(offer!.client_address)).toBe(true);
    expect(claim).toMatchObject({ ok: true, user_id: 'alice', actor: 'device', device_id: phone.deviceId, details: { device_name: 'audit phone' } });
    expect(isLoopback(claim!.client_address)).toBe(true);
  });

  it('records a refused claim with its reason', async () => {
    await t.api('POST', '/api/pair/claim', { secret: 'not-a-secret' }, { token: null });
    const refused = (await audit()).filter((e) => e.event === 'pair.claim' && !e.ok);
    expect(refused.at(-1)).toMatchObject({ user_id: null, actor: 'anonymous', details: { reason: 'unknown' } });
  });

  it('records SSH connect, command run (text and exit code only) and disconnect with the device and address', async () => {
    const connect = await t.api(
      'POST',
      '/ssh/connect?session_id=main',
      { hostname: '127.0.0.1', port: sshd.port, username: account.username, password: account.password },
      { token: phone.token },
    );
    expect(connect.status).toBe(200);
    const run = await t.api('POST', '/api/terminal/bastion/run', { command: 'echo top-secret-output; exit 7', session_id: 'main' }, { token: phone.token });
    expect(run.status).toBe(200);
    expect(run.body.exit_code).toBe(7);
    expect((await t.api('POST', '/ssh/disconnect?session_id=main', undefined, { token: phone.token })).status).toBe(200);

    const entries = await audit('?user_id=alice');
    const byDevice = { user_id: 'alice', actor: 'device', device_id: phone.deviceId, ok: true };
    expect(entries.find((e) => e.event === 'ssh.connect')).toMatchObject({
      ...byDevice,
      details: { session_id: 'main', hostname: '127.0.0.1', port: sshd.port, username: account.username },
    });
    expect(entries.find((e) => e.event === 'command.run')).toMatchObject({
      ...byDevice,
      details: { command: 'echo top-secret-output; exit 7', exit_code: 7, session_id: 'main' },
    });
    expect(entries.find((e) => e.event === 'ssh.disconnect')).toMatchObject({ ...byDevice, details: { session_id: 'main' } });
    for (const e of entries.filter((x) => x.event.startsWith('ssh.') || x.event === 'command.run')) expect(isLoopback(e.client_address)).toBe(true);
  });

  it('records a failed SSH connect without the password', async () => {
    const res = await t.api('POST', '/ssh/connect?session_id=bad', {
      user_id: 'alice',
      hostname: '127.0.0.1',
      port: sshd.port,
      username: account.username,
      password: 'wrong-Pa55-for-audit',
    });
    expect(res.status).toBe(502);
    const failed = (await audit()).filter((e) => e.event === 'ssh.connect' && !e.ok);
    expect(failed.at(-1)).toMatchObject({ actor: 'owner', user_id: 'alice', details: { session_id: 'bad', error: 'upstream_failed' } });
  });

  it('records a session that drops on its own (sshd killed) as ssh.drop with the reason', async () => {
    const connect = await t.api('POST', '/ssh/connect?session_id=doomed', {
      user_id: 'alice',
      hostname: '127.0.0.1',
      port: sshd.port,
      username: account.username,
      password: account.password,
    });
    expect(connect.status).toBe(200);
    killSshdTree(sshd.dir);
    const drop = await eventually('an ssh.drop audit entry', async () => (await audit()).find((e) => e.event === 'ssh.drop'), 5000);
    expect(drop).toMatchObject({ actor: 'system', user_id: 'alice', device_id: null, client_address: null, details: { session_id: 'doomed' } });
    expect(String(drop!.details.reason)).toMatch(/connection|ended|closed/);
    sshd = await startSshd();
  });

  it('records a revocation', async () => {
    expect((await t.api('DELETE', `/api/devices/${phone.deviceId}`)).status).toBe(200);
    expect((await audit()).at(-1)).toMatchObject({ event: 'device.revoke', actor: 'owner', user_id: 'alice', details: { revoked_device_id: phone.deviceId } });
  });

  it('keeps secrets and output out of the file, and honours limit', async () => {
    const text = fs.readFileSync(path.join(t.dataDir, 'audit.log'), 'utf8');
    for (const line of text.trim().split('\n')) expect(() => JSON.parse(line)).not.toThrow();
    expect(text).not.toContain(account.password);
    expect(text).not.toContain('wrong-Pa55-for-audit');
    expect(text).not.toContain(phone.token);
    expect(text).not.toMatch(/top-secret-output\n|"stdout"/);
    expect(fs.statSync(path.join(t.dataDir, 'audit.log')).mode & 0o777).toBe(0o600);
    const two = await audit('?limit=2');
    expect(two).toHaveLength(2);
    expect(two.at(-1)!.event).toBe('device.revoke');
  });

  it('is for the owner only', async () => {
    const other = await pairDevice(t, 'alice', 'second');
    expect((await t.api('GET', '/api/audit', undefined, { token: other.token })).status).toBe(403);
  });
});
