// `npm run serve` runs this first: builds the web UI with Vite when renderer/dist is missing or older
// than its sources, so a fresh clone serves the UI with no extra step and an unchanged one starts at once.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const SOURCES = ['renderer/src', 'renderer/public', 'renderer/index.html', 'renderer/vite.config.ts', 'bridge/contracts'];

function newestMtime(entry: string): number {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(entry);
  } catch {
    return 0;
  }
  if (!stat.isDirectory()) return stat.mtimeMs;
  return fs.readdirSync(entry).reduce((newest, name) => Math.max(newest, newestMtime(path.join(entry, name))), stat.mtimeMs);
}

function uiIsStale(): boolean {
  const built = path.join(root, 'renderer', 'dist', 'index.html');
  const builtAt = fs.existsSync(built) ? fs.statSync(built).mtimeMs : 0;
  return SOURCES.some((source) => newestMtime(path.join(root, source)) > builtAt);
}

async function main(): Promise<void> {
  if (!uiIsStale()) return;
  process.stdout.write('Building the web UI (renderer/dist)…\n');
  const { build } = await import('vite');
  await build({ configFile: path.join(root, 'renderer', 'vite.config.ts'), logLevel: 'warn' });
}

main().catch((error: unknown) => {
  process.stderr.write(`Could not build the web UI: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
