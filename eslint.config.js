// Lint: typescript-eslint plus import rules that keep the layers of STYLE.md apart.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import importX from 'eslint-plugin-import-x';


export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', 'renderer/dist/**', 'test-results/**', 'playwright-report/**', 'tests/artifacts/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    plugins: { 'import-x': importX },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-non-null-assertion': 'off',
      'import-x/no-restricted-paths': [
        'error',
        {
          zones: [
            // The renderer talks to the bridge over HTTP and socket.io only; it shares the wire contracts.
            { target: './renderer', from: './bridge', except: ['./contracts'] },
            { target: './renderer', from: './main' },
            // Contracts are zod only: both sides import them.
            { target: './bridge/contracts', from: './bridge', except: ['./contracts'] },
            // The core knows no capability, no transport.
            { target: './bridge/core', from: './bridge', except: ['./core'] },
            { target: './bridge/config', from: './bridge', except: ['./config', './core'] },
            // The bridge never reaches into the Electron shell.
            { target: './bridge', from: './main' },
          ],
        },
      ],
    },
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
