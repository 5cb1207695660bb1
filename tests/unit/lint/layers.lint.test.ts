// The project's ESLint config, through ESLint's Node API, on deliberately bad code: an import that runs up
// the layers of bridge/README.md (type-only too) and over-budget functions and files are errors; an
// import down the layers passes.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ESLint, type Linter } from 'eslint';
import { beforeAll, describe, expect, it } from 'vitest';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
let eslint: ESLint;

beforeAll(async () => {
  eslint = new ESLint({ cwd: root });
  // The first lint loads the config, plugins and resolver (seconds on a busy machine): not any one test's time.
  await eslint.lintText('', { filePath: path.join(root, 'bridge/core/probe.ts') });
}, 60_000);

/** Lints `code` as if it were the file at `file` (relative to the repository root; it need not exist). */
async function lint(file: string, code: string): Promise<Linter.LintMessage[]> {
  const [result] = await eslint.lintText(code, { filePath: path.join(root, file) });
  return result!.messages;
}

const ruleIds = (messages: Linter.LintMessage[]): (string | null)[] => messages.map((m) => m.ruleId);

const typeImport = (from: string): string => `import type { Probe } from '${from}';\nexport type Same = Probe;\n`;

describe('layers (import-x/no-restricted-paths)', { timeout: 20_000 }, () => {
  it.each([
    ['core imports a plug-in', 'bridge/core/probe.ts', '../vpn/vpn.service.js'],
    ['a shared service imports a plug-in', 'bridge/ssh/probe.ts', '../vpn/vpn.service.js'],
    ['transport imports a shared service', 'bridge/transport/probe.ts', '../ssh/ssh-sessions.js'],
    ['a plug-in imports another plug-in', 'bridge/gpu/probe.ts', '../vpn/vpn.service.js'],
    ['a plug-in imports the composition root', 'bridge/gpu/probe.ts', '../app.js'],
    ['a shared service imports the composition root', 'bridge/live/probe.ts', '../shared-services.js'],
    ['the Electron shell imports a plug-in', 'main/probe.ts', '../bridge/vpn/vpn.service.js'],
  ])('refuses an upward import: %s (type-only)', async (_what, file, from) => {
    const messages = await lint(file, typeImport(from));
    expect(ruleIds(messages)).toEqual(['import-x/no-restricted-paths']);
    expect(messages[0]!.message).toContain(from);
  });

  it('refuses a value import the same way', async () => {
    const messages = await lint('bridge/ssh/probe.ts', "import { VpnService } from '../vpn/vpn.service.js';\nexport const service = VpnService;\n");
    expect(ruleIds(messages)).toEqual(['import-x/no-restricted-paths']);
  });

  it('passes imports that run down the layers', async () => {
    const code = [
      "import type { AppError } from '../core/errors.js';",
      "import type { ConnsStore } from '../store/conns-store.js';",
      "import type { SshSessionService } from '../ssh/ssh-sessions.js';",
      "import type { Capability } from '../transport/capability.js';",
      'export type Used = [AppError, ConnsStore, SshSessionService, Capability];',
      '',
    ].join('\n');
    expect(await lint('bridge/gpu/probe.ts', code)).toEqual([]);
  });

  it("lets Slurm use only GPU's sampling script and parser", async () => {
    expect(await lint('bridge/slurm/probe.ts', typeImport('../gpu/gpu-sample.script.js'))).toEqual([]);
    expect(ruleIds(await lint('bridge/slurm/probe.ts', typeImport('../gpu/gpu.service.js')))).toEqual(['import-x/no-restricted-paths']);
  });
});

describe('size budgets', { timeout: 20_000 }, () => {
  const statements = (count: number): string => Array.from({ length: count }, (_, i) => `  total += ${i};`).join('\n');
  const fn = (count: number): string => `export function probe(): number {\n  let total = 0;\n${statements(count)}\n  return total;\n}\n`;

  it('refuses a function over 75 lines, in bridge/, main/ and renderer/', async () => {
    for (const file of ['bridge/gpu/probe.ts', 'main/probe.ts', 'renderer/src/probe.ts']) {
      const messages = await lint(file, fn(80));
      expect(ruleIds(messages), file).toEqual(['max-lines-per-function']);
    }
  });

  it('counts neither blank lines nor comments', async () => {
    const padded = fn(70).replace('  let total = 0;\n', `  let total = 0;\n${'\n  // why, not what\n'.repeat(20)}`);
    expect(await lint('bridge/gpu/probe.ts', padded)).toEqual([]);
  });

  it('refuses a file over 400 lines', async () => {
    const lines = Array.from({ length: 401 }, (_, i) => `export const value${i} = ${i};`).join('\n');
    expect(ruleIds(await lint('bridge/gpu/probe.ts', `${lines}\n`))).toEqual(['max-lines']);
  });
});
