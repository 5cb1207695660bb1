// The bridge as its own process (`npm run serve` or node directly), for tests and benchmarks that need
// a separate process: signals, memory of the bridge alone, load from another process.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface BridgeChild {
  child: ChildProcess;
  /** The first URL of the start-up line. */
  baseUrl: string;
  /** The whole start-up line. */
  startLine: string;
  token: string;
  dataDir: string;
  /** Everything the process wrote to stdout so far. */
  stdout(): string;
  /** Everything the process wrote to stderr so far. */
  stderr(): string;
  /** Send a signal and wait for the exit code (null when it died of a signal). */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export interface BridgeChildOptions {
  dataDir: string;
  env?: Record<string, string>;
  /** `npm run serve` (the README's command) instead of node directly. */
  viaNpm?: boolean;
  /** Extra node flags for the bridge process (benchmarks: `--cpu-prof`, which NODE_OPTIONS refuses). */
  nodeArgs?: string[];
}

export async function startBridgeChild(options: BridgeChildOptions): Promise<BridgeChild> {
  const env = {
    ...process.env,
    VIGILINK_HOST: '127.0.0.1',
    VIGILINK_PORT: '0',
    VIGILINK_DATA_DIR: options.dataDir,
    VIGILINK_LOG_LEVEL: 'warn',
    ...options.env,
  };
  const [command, args] = options.viaNpm ? ['npm', ['run', '--silent', 'serve']] : [process.execPath, [...(options.nodeArgs ?? []), '--import', 'tsx', 'bridge/server.ts']];
  const child = spawn(command, args, { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const startLine = await new Promise<string>((resolve, reject) => {
    // npm run serve may build the web UI first (a minute or two on a small machine).
    const limitS = options.viaNpm ? 180 : 30;
    const deadline = setTimeout(() => reject(new Error(`bridge did not start in ${limitS} s; stdout: ${out}; stderr: ${err}`)), limitS * 1000);
    const check = (): void => {
      const line = out.split('\n').find((l) => l.startsWith('Vigilink bridge listening on '));
      if (line && out.includes(`${line}\n`)) {
        clearTimeout(deadline);
        resolve(line);
      }
    };
    child.stdout!.on('data', check);
    void exited.then((code) => {
      clearTimeout(deadline);
      reject(new Error(`bridge exited with ${code} before listening; stdout: ${out}; stderr: ${err}`));
    });
  });
  const baseUrl = startLine.replace('Vigilink bridge listening on ', '').split(' ')[0]!;
  return {
    child,
    baseUrl,
    startLine,
    token: fs.readFileSync(path.join(options.dataDir, 'owner.token'), 'utf8').trim(),
    dataDir: options.dataDir,
    stdout: () => out,
    stderr: () => err,
    stop: async (signal = 'SIGTERM') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}
