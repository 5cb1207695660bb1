// Lint: typescript-eslint, the import zones that hold the layers of bridge/README.md, and size budgets.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import importX, { createNodeResolver } from 'eslint-plugin-import-x';

const root = path.dirname(fileURLToPath(import.meta.url));

// The bridge's layers, bottom to top (bridge/README.md says what each folder holds and why it sits there).
const BOTTOM = ['contracts', 'core', 'config', 'store'];
const SHARED_SERVICES = ['ssh', 'files', 'terminal', 'audit', 'auth', 'tls', 'live', 'ui'];
const PLUG_INS = ['gpu', 'vpn', 'pairing', 'slurm', 'forwards'];
const dir = (name) => `./bridge/${name}`;
const upwardFrom = (names) => names.map(dir);
/** The composition root: the files directly in bridge/ (app.ts, server.ts, capabilities.ts, ...). */
const COMPOSITION_ROOT = './bridge/*.ts';

/** A plug-in may import another plug-in only through a file listed here (why: next to each entry). */
const PLUG_IN_EXCEPTIONS = {
  // Slurm samples the GPUs of a job's node with the GPU plug-in's script and parser.
  slurm: { gpu: ['./gpu-sample.script.ts', './gpu-sample.parser.ts'] },
};

function plugInZones() {
  return PLUG_INS.flatMap((plugIn) =>
    PLUG_INS.filter((other) => other !== plugIn).map((other) => ({
      target: dir(plugIn),
      from: dir(other),
      except: PLUG_IN_EXCEPTIONS[plugIn]?.[other] ?? [],
      message: `Plug-ins do not import each other: move what ${plugIn}/ needs from ${other}/ down (core declares a port; app.ts passes it).`,
    })),
  );
}

const layerZones = [
  // The renderer talks to the bridge over HTTP and socket.io only; it shares the wire contracts.
  { target: './renderer', from: './bridge', except: ['./contracts'] },
  { target: './renderer', from: './main' },
  // The bridge never reaches into the Electron shell.
  { target: './bridge', from: './main' },
  // The Electron shell knows the bridge through createBridge and the bottom layer only.
  { target: './main', from: './bridge', except: ['./app.ts', './core', './config', './contracts'], message: 'main/ uses createBridge and the bottom layer (core, config, contracts).' },
  // Bottom layer: contracts are zod only; core may name wire types; config and store build on core.
  { target: dir('contracts'), from: './bridge', except: ['./contracts'], message: 'Contracts are zod only: both sides import them.' },
  { target: dir('core'), from: './bridge', except: ['./core', './contracts'], message: 'The core knows no capability, no transport: declare a port here and let the upper layer implement it.' },
  { target: dir('config'), from: './bridge', except: ['./config', './core', './contracts'] },
  { target: dir('store'), from: './bridge', except: ['./store', './core', './contracts', './config'] },
  // Transport knows express and socket.io, and nothing above it.
  { target: dir('transport'), from: './bridge', except: [...BOTTOM, 'transport'].map((name) => `./${name}`), message: 'Transport sits under the services: it may use only contracts, core, config and store.' },
  // Shared services never import a plug-in or the composition root.
  { target: upwardFrom(SHARED_SERVICES), from: upwardFrom(PLUG_INS), message: 'A shared service never imports a plug-in: core declares a port, the plug-in implements it, app.ts passes it in.' },
  { target: [...upwardFrom(BOTTOM), dir('transport'), ...upwardFrom(SHARED_SERVICES), ...upwardFrom(PLUG_INS)], from: COMPOSITION_ROOT, message: 'Only the composition root (bridge/*.ts, main/) knows every capability.' },
  ...plugInZones(),
];

const budgets = {
  // A file past ~400 lines does two jobs; a function past ~75 lines hides its steps (STYLE.md, habit 11).
  'max-lines': ['error', { max: 400, skipBlankLines: true, skipComments: true }],
  'max-lines-per-function': ['error', { max: 75, skipBlankLines: true, skipComments: true }],
};

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', 'renderer/dist/**', 'test-results/**', 'playwright-report/**', 'tests/artifacts/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    plugins: { 'import-x': importX },
    // Imports name the compiled .js; the sources are .ts/.tsx.
    settings: { 'import-x/resolver-next': [createNodeResolver({ extensions: ['.ts', '.tsx', '.js', '.json'], extensionAlias: { '.js': ['.ts', '.tsx', '.js'] } })] },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-non-null-assertion': 'off',
      // type-only imports count too: a type that runs upward ties the layers together all the same.
      'import-x/no-restricted-paths': ['error', { basePath: root, zones: layerZones }],
    },
  },
  {
    files: ['bridge/**/*.ts', 'main/**/*.ts', 'renderer/**/*.ts', 'renderer/**/*.tsx'],
    rules: budgets,
  },
  {
    files: ['bridge/**/*.ts'],
    ignores: ['bridge/transport/**', 'bridge/app.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            { name: 'electron', message: 'The bridge runs headless: no electron imports.' },
            { name: 'express', message: 'Only bridge/transport knows express.', allowTypeImports: true },
            { name: 'socket.io', message: 'Only bridge/transport knows socket.io.', allowTypeImports: true },
          ],
        },
      ],
    },
  },
  {
    files: ['bridge/transport/**/*.ts', 'bridge/app.ts'],
    rules: {
      'no-restricted-imports': ['error', { paths: [{ name: 'electron', message: 'The bridge runs headless: no electron imports.' }] }],
    },
  },
  {
    files: ['renderer/**/*.ts', 'renderer/**/*.tsx'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['node:*'], message: 'The renderer runs in a browser.' }] }],
    },
  },
  {
    // The service worker is plain JavaScript served as is (Vite copies public/): its globals are the worker's.
    files: ['renderer/public/sw.js'],
    languageOptions: {
      sourceType: 'script',
      globals: { self: 'readonly', caches: 'readonly', fetch: 'readonly', URL: 'readonly', Response: 'readonly' },
    },
  },
  {
    files: ['tests/**/*.ts', 'bench/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    // Config once: settings come from the environment through the config modules, parsed and defaulted there.
    files: ['bridge/**/*.ts', 'main/**/*.ts'],
    ignores: ['bridge/config/config.ts', 'main/config/desktop-config.ts'],
    rules: {
      'no-restricted-properties': ['error', { object: 'process', property: 'env', message: 'Read settings through bridge/config (or main/config for the desktop app).' }],
    },
  },
);
