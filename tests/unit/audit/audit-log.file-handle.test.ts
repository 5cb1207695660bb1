// AuditLog keeps one append handle open between writes (no open/close per line) and lets it go on close().
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { AuditLog, SYSTEM_SOURCE } from '../../../bridge/audit/audit-log.js';
import { createLogger } from '../../../bridge/core/logger.js';

const logger = createLogger({ level: 'silent' });

/** How many of this process's file descriptors point at `file` (Linux /proc). */
function openDescriptors(file: string): number {
  return fs.readdirSync('/proc/self/fd').filter((fd) => {
    try {
      return fs.readlinkSync(`/proc/self/fd/${fd}`) === file;
    } catch {
      return false;
    }
  }).length;
}

describe('AuditLog file handle', () => {
  it('writes lines recorded in one turn together on one open handle, and closes it on close()', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigilink-audit-fd-'));
    const audit = new AuditLog(dir, logger);
    for (let i = 0; i < 50; i++) audit.record({ event: 'command.run', userId: 'alice', source: SYSTEM_SOURCE, details: { exit_code: i } });
    // Nothing touches the disk before the turn that recorded the lines is over (the answer goes first).
    expect(fs.existsSync(audit.file)).toBe(false);
    await audit.flush();
    expect(openDescriptors(audit.file)).toBe(1);
    audit.record({ event: 'command.run', userId: 'bob', source: SYSTEM_SOURCE, details: { exit_code: 50 } });
    await audit.flush();
    expect(openDescriptors(audit.file)).toBe(1);
    expect((await audit.tail(100)).map((e) => e.details.exit_code)).toEqual(Array.from({ length: 51 }, (_, i) => i));
    await audit.close();
    expect(openDescriptors(audit.file)).toBe(0);
    audit.record({ event: 'command.run', userId: 'bob', source: SYSTEM_SOURCE, details: { exit_code: 51 } });
    await audit.close();
    expect((await audit.tail(1))[0]!.details.exit_code).toBe(51);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
