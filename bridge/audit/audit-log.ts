// The audit log: one JSON line per security-relevant event (pairings, revocations, SSH and VPN connects
// and disconnects, commands run) in $VIGILINK_DATA_DIR/audit.log, with who did it and from where.
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Principal } from '../auth/principal.js';
import type { AuditDetails, AuditEntry, AuditEventKind } from '../contracts/audit.js';
import type { Logger } from '../core/logger.js';

export const AUDIT_FILE = 'audit.log';
/** Past this size the log moves to audit.log.1 (replacing the previous one), so it never fills the disk. */
const ROTATE_BYTES = 16 * 1024 * 1024;
const TAIL_CHUNK_BYTES = 64 * 1024;

/** Who caused an event: a request's principal and address; neither for the bridge itself (a drop). */
export interface AuditSource {
  principal: Principal | null;
  clientAddress: string | null;
}

export const SYSTEM_SOURCE: AuditSource = Object.freeze({ principal: null, clientAddress: null });

export interface AuditRecord {
  event: AuditEventKind;
  /** false for a refused or failed attempt; default true. */
  ok?: boolean;
  userId: string | null;
  source: AuditSource;
  /** Scalars only. Never output, passwords, keys or tokens. */
  details?: AuditDetails;
}

export class AuditLog {
  readonly file: string;
  private writing: Promise<void> = Promise.resolve();
  private size: number | null = null;

  constructor(
    dataDir: string,
    private readonly logger: Logger,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.file = path.join(dataDir, AUDIT_FILE);
  }

  /** Append one line. Never throws: a failing disk is logged, the operation it describes still happens. */
  record(record: AuditRecord): void {
    const entry = toEntry(record, this.now());
    const line = JSON.stringify(entry) + '\n';
    this.writing = this.writing.then(() => this.append(line)).catch((error: unknown) => {
      this.logger.error({ err: error, event: entry.event }, 'could not write audit.log');
    });
  }

  /** Resolves once every line recorded so far is on disk. */
  flush(): Promise<void> {
    return this.writing;
  }

  /** The newest `limit` entries (optionally one user's), oldest first. */
  async tail(limit: number, userId?: string): Promise<AuditEntry[]> {
    await this.flush();
    let handle: fs.FileHandle;
    try {
      handle = await fs.open(this.file, 'r');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    try {
      const entries: AuditEntry[] = [];
      let position = (await handle.stat()).size;
      let carry = Buffer.alloc(0);
      while (position > 0 && entries.length < limit) {
        const length = Math.min(TAIL_CHUNK_BYTES, position);
        position -= length;
        const chunk = Buffer.alloc(length);
        await handle.read(chunk, 0, length, position);
        const text = Buffer.concat([chunk, carry]);
        // Until the start of the file, the part before the first newline may be the end of a line that
        // started in an earlier chunk: keep it for the next round.
        const cut = position > 0 ? text.indexOf(10) + 1 : 0;
        carry = position > 0 ? text.subarray(0, cut > 0 ? cut - 1 : text.length) : Buffer.alloc(0);
        const complete = position > 0 && cut === 0 ? Buffer.alloc(0) : text.subarray(cut);
        const lines = complete.toString('utf8').split('\n').filter(Boolean).reverse();
        for (const line of lines) {
          const entry = parseLine(line);
          if (entry && (userId === undefined || entry.user_id === userId)) entries.push(entry);
          if (entries.length >= limit) break;
        }
      }
      return entries.reverse();
    } finally {
      await handle.close();
    }
  }

  private async append(line: string): Promise<void> {
    if (this.size === null) {
      await fs.mkdir(path.dirname(this.file), { recursive: true, mode: 0o700 });
      this.size = await fs.stat(this.file).then((s) => s.size, () => 0);
    }
    if (this.size + Buffer.byteLength(line) > ROTATE_BYTES) {
      await fs.rename(this.file, `${this.file}.1`).catch(() => undefined);
      this.size = 0;
    }
    await fs.appendFile(this.file, line, { mode: 0o600 });
    this.size += Buffer.byteLength(line);
  }
}

function toEntry(record: AuditRecord, now: Date): AuditEntry {
  const { principal, clientAddress } = record.source;
  return {
    ts: now.toISOString(),
    event: record.event,
    ok: record.ok ?? true,
    user_id: record.userId,
    actor: principal ? principal.kind : clientAddress ? 'anonymous' : 'system',
    device_id: principal?.kind === 'device' ? principal.deviceId : null,
    client_address: clientAddress,
    details: record.details ?? {},
  };
}

/** A torn or foreign line is skipped rather than failing the whole listing. */
function parseLine(line: string): AuditEntry | null {
  try {
    const value = JSON.parse(line) as AuditEntry;
    return typeof value === 'object' && value !== null && typeof value.event === 'string' ? value : null;
  } catch {
    return null;
  }
}
