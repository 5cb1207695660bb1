// /api/terminal/bastion/run in a user's container: `sh -c <command>` as argv (as the earlier backend ran
// it), under coreutils `timeout` so a command that overruns is killed inside the container too.
import type { ExecOptions, ExecResult } from '../ssh/ssh-session.js';
import type { ContainerDriver } from './container-driver.js';

/** How long `timeout` waits after TERM before KILL, and how much later the bridge stops waiting itself. */
const KILL_AFTER_SECONDS = 2;
const BRIDGE_GRACE_MS = 5_000;
const TIMEOUT_EXIT_CODES = new Set([124, 137]);

export function commandArgv(command: string, timeoutMs: number): string[] {
  const seconds = Math.max(0.1, timeoutMs / 1000);
  return ['timeout', `--kill-after=${KILL_AFTER_SECONDS}`, `${seconds}`, 'sh', '-c', command];
}

export async function runInContainer(driver: ContainerDriver, containerId: string, command: string, options: ExecOptions): Promise<ExecResult> {
  const started = Date.now();
  const result = await driver.exec(containerId, {
    argv: commandArgv(command, options.timeoutMs),
    asUser: true,
    timeoutMs: options.timeoutMs + KILL_AFTER_SECONDS * 1000 + BRIDGE_GRACE_MS,
    outputLimitBytes: options.outputLimitBytes,
  });
  // timeout(1) exits 124 (TERM worked) or 137 (KILL needed); a command's own 124 before the limit is its own.
  const timedOut = result.timedOut || (result.exitCode !== null && TIMEOUT_EXIT_CODES.has(result.exitCode) && Date.now() - started >= options.timeoutMs);
  return { ...result, timedOut, exitCode: timedOut ? null : result.exitCode };
}
