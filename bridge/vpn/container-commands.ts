// /api/terminal/bastion/run in a user's container: `sh -c <command>` as argv (as the earlier backend ran
// it), under coreutils `timeout` so a command that overruns is killed inside the container too.
import { randomBytes } from 'node:crypto';
import type { ExecOptions, ExecResult } from '../core/exec.js';
import type { ContainerDriver } from './container-driver.js';

/** How long `timeout` waits after TERM before KILL, and how much later the bridge stops waiting itself. */
const KILL_AFTER_SECONDS = 2;
const BRIDGE_GRACE_MS = 5_000;
const TIMEOUT_EXIT_CODES = new Set([124, 137]);

/**
 * `marker` is the outer shell's $0, so `timeout`'s command line carries it and a second exec can find it
 * (Docker cannot kill an exec's process itself). The outer shell execs the command's own `sh -c`, whose
 * $0 stays `sh` as users' commands expect. SECURITY: the command arrives as "$1", never spliced into the
 * outer script.
 */
export function commandArgv(command: string, timeoutMs: number, marker: string): string[] {
  const seconds = Math.max(0.1, timeoutMs / 1000);
  return ['timeout', `--kill-after=${KILL_AFTER_SECONDS}`, `${seconds}`, 'sh', '-c', 'exec sh -c "$1"', marker, command];
}

/**
 * TERM to the marked `timeout`: it passes it to its whole process group, where the command and its
 * children run, and KILLs that group KILL_AFTER_SECONDS later if anything is left.
 */
export function killArgv(marker: string): string[] {
  return ['pkill', '-TERM', '-f', marker];
}

export async function runInContainer(driver: ContainerDriver, containerId: string, command: string, options: ExecOptions): Promise<ExecResult> {
  const started = Date.now();
  const marker = `vigilink-job-${randomBytes(12).toString('hex')}`;
  const { signal } = options;
  if (signal?.aborted) throw signal.reason as Error;
  const result = await driver
    .exec(containerId, {
      argv: commandArgv(command, options.timeoutMs, marker),
      asUser: true,
      timeoutMs: options.timeoutMs + KILL_AFTER_SECONDS * 1000 + BRIDGE_GRACE_MS,
      outputLimitBytes: options.outputLimitBytes,
      signal,
    })
    .catch((error: unknown) => {
      // A revoked device's command is killed in the container, not left to run until its own timeout.
      // The driver gives up only once the exec has started, so the kill's own exec comes after it.
      if (signal?.aborted) void driver.exec(containerId, { argv: killArgv(marker), asUser: true, timeoutMs: 10_000, outputLimitBytes: 4096 }).catch(() => undefined);
      throw error;
    });
  // timeout(1) exits 124 (TERM worked) or 137 (KILL needed); a command's own 124 before the limit is its own.
  const timedOut = result.timedOut || (result.exitCode !== null && TIMEOUT_EXIT_CODES.has(result.exitCode) && Date.now() - started >= options.timeoutMs);
  return { ...result, timedOut, exitCode: timedOut ? null : result.exitCode };
}
