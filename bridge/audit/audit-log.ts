// The audit log: one JSON line per security-relevant event (pairings, revocations, SSH and VPN connects
// and disconnects, commands run) in $VIGILINK_DATA_DIR/audit.log, with who did it and from where.
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Principal } from '../core/principal.js';
import type { AuditDetails, AuditEntry, AuditEventKind } from '../contracts/audit.js';
import type { Logger } from '../core/logger.js';

export const AUDIT_FILE = 'audit.log';
/** Past this size the log moves to audit.log.1 (replacing the previous one), so it never fills the disk. */
const ROTATE_BYTES = 16 * 1024 * 1024;
const TAIL_CHUNK_BYTES = 64 * 1024;
/** Entries of this window share one write (a burst of commands is one write, not one per command). */
const WRITE_BATCH_MS = 20;

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
  private size = 0;
  /** Kept open between writes: opening and closing the file per line was the largest cost of a command's audit. */
  private handle: fs.FileHandle | null = null;
  /** Lines recorded since the last write; they go out together, after the answers that caused them. */
  private pending: string[] = [];

  constructor(
    dataDir: string,
    private readonly logger: Logger,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.file = path.join(dataDir, AUDIT_FILE);
  }

  /** Append one line. Never throws: a failing disk is logged, the operation it describes still happens. */
  record(record: AuditRecord): void {
    this.pending.push(JSON.stringify(toEntry(record, this.now())) + '\n');
    if (this.pending.length > 1) return;
    // After a short wait: the request that recorded this answers first, and the entries of the commands
    // around it join the same write. tail() and close() wait for it (flush), so no reader misses an entry.
    this.writing = this.writing.then(() => new Promise<void>((resolve) => setTimeout(resolve, WRITE_BATCH_MS))).then(() => this.writePending());
  }

  /** Resolves once every line recorded so far is on disk. */
  flush(): Promise<void> {
    return this.writing;
  }

  /** Flush and close the file (the bridge is stopping); a later record opens it again. */
  async close(): Promise<void> {
    await this.flush();
    const handle = this.handle;
    this.handle = null;
    await handle?.close();
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

  private async writePending(): Promise<void> {
    const text = this.pending.join('');
    const events = this.pending.length;
    this.pending = [];
    try {
      await this.append(text);
    } catch (error) {
      this.logger.error({ err: error, lines: events }, 'could not write audit.log');
      // A broken handle (disk gone, file replaced) is reopened on the next write.
      await this.handle?.close().catch(() => undefined);
      this.handle = null;
      this.size = 0;
    }
  }

  private async append(text: string): Promise<void> {
    if (this.handle === null) {
      await fs.mkdir(path.dirname(this.file), { recursive: true, mode: 0o700 });
      this.handle = await fs.open(this.file, 'a', 0o600);
      this.size = (await this.handle.stat()).size;
    }
    const bytes = Buffer.byteLength(text);
    if (this.size + bytes > ROTATE_BYTES) {
      await this.handle.close();
      this.handle = null;
      await fs.rename(this.file, `${this.file}.1`).catch(() => undefined);
      this.handle = await fs.open(this.file, 'a', 0o600);
      this.size = 0;
    }
    await this.handle.write(text);
    this.size += bytes;
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
