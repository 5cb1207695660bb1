// npm run bench: every bench/*.bench.ts in turn, each in its own process (so one's servers and memory
// never skew the next). Exits non-zero if any script failed.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const benchDir = path.dirname(fileURLToPath(import.meta.url));
const only = process.argv.slice(2);
const scripts = fs
  .readdirSync(benchDir)
  .filter((name) => name.endsWith('.bench.ts'))
  // The 30-minute soak runs only when named (npm run bench soak).
  .filter((name) => (only.length === 0 ? name !== 'soak.bench.ts' : only.some((word) => name.includes(word))))
  .sort();

let failed = 0;
for (const script of scripts) {
  console.log(`\n=== ${script}`);
  const code = await new Promise<number | null>((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(benchDir, script)], { stdio: 'inherit' });
    child.once('exit', (exitCode) => resolve(exitCode));
  });
  if (code !== 0) {
    failed++;
    console.error(`${script} failed (exit ${code})`);
  }
}
console.log(`\n${scripts.length - failed}/${scripts.length} benchmarks ran`);
process.exit(failed ? 1 : 0);
