// writeJsonAtomic, readJson and JsonFileWriter on a real temp directory.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { JsonFileWriter, readJson, writeJsonAtomic } from '../../../bridge/store/atomic-json.js';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigilink-atomic-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('writeJsonAtomic', () => {
  it('writes the value with mode 0600, creating the folder, and leaves no temp file', async () => {
    const file = path.join(dir, 'nested', 'state.json');
    await writeJsonAtomic(file, { a: 1 });
    expect(JSON.parse(fs.readFileSync(file, 'utf8'))).toEqual({ a: 1 });
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(fs.readdirSync(path.dirname(file))).toEqual(['state.json']);
  });

  it('replaces the whole file (a shorter value leaves no tail of the old one)', async () => {
    const file = path.join(dir, 'state.json');
    await writeJsonAtomic(file, { long: 'x'.repeat(1000) });
    await writeJsonAtomic(file, { short: 1 });
    expect(JSON.parse(fs.readFileSync(file, 'utf8'))).toEqual({ short: 1 });
  });

  it('keeps the old file when the value cannot be serialised', async () => {
    const file = path.join(dir, 'state.json');
    await writeJsonAtomic(file, { ok: true });
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    await expect(writeJsonAtomic(file, cyclic)).rejects.toThrow();
    expect(JSON.parse(fs.readFileSync(file, 'utf8'))).toEqual({ ok: true });
  });
});

describe('readJson', () => {
  it('gives the fallback for a missing file', async () => {
    expect(await readJson(path.join(dir, 'none.json'), { empty: true })).toEqual({ empty: true });
  });

  it('refuses a corrupt file rather than dropping state', async () => {
    const file = path.join(dir, 'bad.json');
    fs.writeFileSync(file, '{"half":');
    await expect(readJson(file, {})).rejects.toThrow(SyntaxError);
  });
});

describe('JsonFileWriter', () => {
  it('collapses a burst of saves into the latest snapshot, never interleaving writes', async () => {
    const file = path.join(dir, 'state.json');
    const writer = new JsonFileWriter<{ n: number }>(file);
    let taken = 0;
    const saves = Array.from({ length: 20 }, (_, i) =>
      writer.save(() => {
        taken++;
        return { n: i };
      }),
    );
    await Promise.all(saves);
    expect(JSON.parse(fs.readFileSync(file, 'utf8'))).toEqual({ n: 19 });
    // The first save may start before the others arrive; everything after collapses into one write.
    expect(taken).toBeLessThanOrEqual(2);
  });

  it('writes again for a save made while a write is running', async () => {
    const file = path.join(dir, 'state.json');
    const writer = new JsonFileWriter<{ n: number }>(file);
    const first = writer.save(() => ({ n: 1 }));
    await new Promise((r) => setImmediate(r));
    const second = writer.save(() => ({ n: 2 }));
    await Promise.all([first, second]);
    expect(JSON.parse(fs.readFileSync(file, 'utf8'))).toEqual({ n: 2 });
  });

  it('goes on writing after a failed write', async () => {
    const blocker = path.join(dir, 'not-a-dir');
    fs.writeFileSync(blocker, '');
    const writer = new JsonFileWriter<{ n: number }>(path.join(blocker, 'state.json'));
    await expect(writer.save(() => ({ n: 1 }))).rejects.toThrow();
    const good = new JsonFileWriter<{ n: number }>(path.join(dir, 'ok.json'));
    await good.save(() => ({ n: 3 }));
    expect(JSON.parse(fs.readFileSync(path.join(dir, 'ok.json'), 'utf8'))).toEqual({ n: 3 });
  });
});
