// Atomic JSON state files: write to a temp file, fsync it, rename over the target, fsync the folder.
// A crash at any point leaves either the old file or the new one, never a torn one.
import fs from 'node:fs/promises';
import path from 'node:path';
import crypto from 'node:crypto';

export async function writeJsonAtomic(file: string, value: unknown, mode = 0o600): Promise<void> {
  await writeTextAtomic(file, JSON.stringify(value, null, 2) + '\n', mode);
}

/** The same for any text (PEM files of the local CA). */
export async function writeTextAtomic(file: string, text: string, mode = 0o600): Promise<void> {
  const dir = path.dirname(file);
  await fs.mkdir(dir, { recursive: true, mode: 0o700 });
  const tmp = path.join(dir, `.${path.basename(file)}.${process.pid}.${crypto.randomBytes(6).toString('hex')}.tmp`);
  const handle = await fs.open(tmp, 'w', mode);
  try {
    await handle.writeFile(text);
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await fs.rename(tmp, file);
  } catch (error) {
    await fs.rm(tmp, { force: true });
    throw error;
  }
  const dirHandle = await fs.open(dir, 'r');
  try {
    await dirHandle.sync();
  } finally {
    await dirHandle.close();
  }
}

/** Read a JSON file; a missing file gives `fallback`. A corrupt one is an error: never silently drop state. */
export async function readJson<T>(file: string, fallback: T): Promise<T> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return fallback;
    throw error;
  }
  return JSON.parse(text) as T;
}

/**
 * Serialises writes of one state file: each save writes the latest snapshot, saves never interleave,
 * and a burst of changes collapses into at most one pending write.
 */
export class JsonFileWriter<T> {
  private running: Promise<void> = Promise.resolve();
  private pending: (() => T) | null = null;
  private scheduled: Promise<void> | null = null;

  constructor(private readonly file: string) {}

  save(snapshot: () => T): Promise<void> {
    this.pending = snapshot;
    if (this.scheduled) return this.scheduled;
    this.scheduled = this.running.then(async () => {
      this.scheduled = null;
      const take = this.pending;
      this.pending = null;
      if (take) await writeJsonAtomic(this.file, take());
    });
    this.running = this.scheduled.catch(() => undefined);
    return this.scheduled;
  }
}
