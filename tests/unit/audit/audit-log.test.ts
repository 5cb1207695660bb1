// AuditLog on a real temp file: one JSON line per record, actors, and tail across read chunks.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { AuditLog, SYSTEM_SOURCE } from '../../../bridge/audit/audit-log.js';
import { createLogger } from '../../../bridge/core/logger.js';

const logger = createLogger({ level: 'silent' });
const tempDir = () => fs.mkdtempSync(path.join(os.tmpdir(), 'vigilink-audit-'));

describe('AuditLog', () => {
  it('writes one JSON line per record with who, for whom and from where', async () => {
    const dir = tempDir();
    const audit = new AuditLog(dir, logger, () => new Date('2026-11-28T10:00:00Z'));
    audit.record({ event: 'vpn.connect', userId: 'alice', source: { principal: { kind: 'device', userId: 'alice', deviceId: 'dev_1' }, clientAddress: '10.0.0.9' }, details: { server: 'vpn.example' } });
    audit.record({ event: 'ssh.drop', userId: 'alice', source: SYSTEM_SOURCE, details: { reason: 'gone' } });
    audit.record({ event: 'pair.claim', ok: false, userId: null, source: { principal: null, clientAddress: '10.0.0.7' } });
    await audit.flush();
    const lines = fs.readFileSync(path.join(dir, 'audit.log'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(lines).toEqual([
      { ts: '2026-11-28T10:00:00.000Z', event: 'vpn.connect', ok: true, user_id: 'alice', actor: 'device', device_id: 'dev_1', client_address: '10.0.0.9', details: { server: 'vpn.example' } },
      { ts: '2026-11-28T10:00:00.000Z', event: 'ssh.drop', ok: true, user_id: 'alice', actor: 'system', device_id: null, client_address: null, details: { reason: 'gone' } },
      { ts: '2026-11-28T10:00:00.000Z', event: 'pair.claim', ok: false, user_id: null, actor: 'anonymous', device_id: null, client_address: '10.0.0.7', details: {} },
    ]);
    expect(fs.statSync(path.join(dir, 'audit.log')).mode & 0o777).toBe(0o600);
  });

  it('tails the newest entries across 64 KiB read chunks, filtered by user, oldest first', async () => {
    const audit = new AuditLog(tempDir(), logger);
    const long = 'x'.repeat(3000);
    for (let i = 0; i < 200; i += 1) {
      audit.record({ event: 'command.run', userId: i % 2 ? 'odd' : 'even', source: SYSTEM_SOURCE, details: { command: `${long}-${i}`, exit_code: i } });
    }
    const last = await audit.tail(150);
    expect(last.map((e) => e.details.exit_code)).toEqual(Array.from({ length: 150 }, (_, i) => i + 50));
    const odd = await audit.tail(5, 'odd');
    expect(odd.map((e) => e.details.exit_code)).toEqual([191, 193, 195, 197, 199]);
    expect((await audit.tail(1000)).length).toBe(200);
  });

  it('answers an empty list before anything was recorded', async () => {
    expect(await new AuditLog(tempDir(), logger).tail(10)).toEqual([]);
  });
});
