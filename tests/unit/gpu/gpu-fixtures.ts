// The real nvidia-smi captures in tests/fixtures/nvidia-smi (see SOURCES.md there), read by name.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const CAPTURES_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../fixtures/nvidia-smi');

export const capture = (name: string): string => fs.readFileSync(path.join(CAPTURES_DIR, name), 'utf8');

export const capturesEndingWith = (suffix: string): string[] =>
  fs.readdirSync(CAPTURES_DIR).filter((name) => name.endsWith(suffix)).sort();
