// Starting openconnect in a container and reading its tunnel: the login's session cookie goes to the start
// exec's stdin (openconnect --cookie-on-stdin) and nowhere else; "up" means the tun interface has an
// address, as the container itself reports it.
import crypto from 'node:crypto';
import { AppError } from '../core/errors.js';
import type { ContainerDriver } from './container-driver.js';
import type { AuthSession } from './vpn-auth.js';
import { probeTunnelArgv, startTunnelArgv, stopTunnelArgv, type TunnelRequest } from './openconnect-args.js';
import { failureReason, linesOfAttempt, loginProblem, parseTunnelProbe, type TunnelProbe } from './vpn-status.parser.js';

const PROBE_TIMEOUT_MS = 10_000;
const POLL_MS = 150;
const LOG_LINES = 300;
export const LOG_TAIL_LINES = 20;

export async function probeTunnel(driver: ContainerDriver, containerId: string): Promise<TunnelProbe> {
  const result = await driver.exec(containerId, { argv: probeTunnelArgv(), timeoutMs: PROBE_TIMEOUT_MS, outputLimitBytes: 16 * 1024 });
  if (result.exitCode !== 0) {
    throw new AppError('failed', `Reading the tunnel state failed: ${result.stderr.toString('utf8').trim() || (result.timedOut ? 'timed out' : `exit ${result.exitCode}`)}`);
  }
  return parseTunnelProbe(result.stdout.toString('utf8'));
}

export const isUp = (probe: TunnelProbe): boolean => probe.pid !== null && probe.ip !== null && !probe.reconnecting;

/** Stop openconnect (it logs out of the server) and wait for it; the container stays. */
export async function stopTunnel(driver: ContainerDriver, containerId: string): Promise<void> {
  await driver.exec(containerId, { argv: stopTunnelArgv(), timeoutMs: 8_000, outputLimitBytes: 4096 });
}

export interface TunnelFailure {
  reason: string;
  logTail: string[];
  /** Set when the same credentials cannot work again (login refused, one-time code asked). */
  loginProblem: string | null;
}

/** What an attempt's log says about why it failed. */
export async function readFailure(driver: ContainerDriver, containerId: string, attempt: string, fallback: string): Promise<TunnelFailure> {
  const lines = linesOfAttempt(await driver.logs(containerId, LOG_LINES).catch(() => []), attempt);
  return { reason: failureReason(lines) ?? fallback, logTail: lines.slice(-LOG_TAIL_LINES), loginProblem: loginProblem(lines) };
}

export type TunnelOutcome = { ok: true; probe: TunnelProbe } | ({ ok: false } & TunnelFailure);

export interface StartedTunnel {
  attempt: string;
  outcome: TunnelOutcome;
  /** Resolves when this openconnect exits (only while this bridge process started it). */
  exited: Promise<unknown>;
}

/**
 * Start (or restart) openconnect and wait until the tunnel is up, openconnect gives up, or `timeoutMs`
 * passes. On failure openconnect is stopped; the caller decides about the container.
 */
export async function startTunnel(
  driver: ContainerDriver,
  containerId: string,
  request: TunnelRequest,
  session: AuthSession,
  timeoutMs: number,
): Promise<StartedTunnel> {
  const attempt = crypto.randomBytes(6).toString('hex');
  // The tunnel accepts exactly the certificate the login accepted.
  const pinned = { ...request, servercert: session.fingerprint ?? request.servercert };
  const opened = await driver.openExec(containerId, startTunnelArgv(pinned, attempt));
  opened.stream.on('error', () => undefined);
  opened.stream.resume();
  // SECURITY: the one place the cookie goes: openconnect's stdin, then the stream is half-closed.
  opened.stream.end(`${session.cookie}\n`);
  let exited = false;
  const exitedPromise = opened.exited.then(() => {
    exited = true;
  });

  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const probe = await probeTunnel(driver, containerId);
    if (isUp(probe) && probe.attempt === attempt) return { attempt, outcome: { ok: true, probe }, exited: exitedPromise };
    // A pid from before this attempt's script ran (a restart) does not count as ours.
    const ours = probe.attempt === attempt;
    if (exited || ((probe.pid === null || !ours) && (await settled(exitedPromise, 50)))) {
      return { attempt, outcome: { ok: false, ...(await readFailure(driver, containerId, attempt, 'openconnect exited')) }, exited: exitedPromise };
    }
    if (Date.now() >= deadline) {
      const failure = await readFailure(driver, containerId, attempt, 'no further output from openconnect');
      await stopTunnel(driver, containerId).catch(() => undefined);
      const seconds = Math.round(timeoutMs / 1000);
      return { attempt, outcome: { ok: false, ...failure, reason: `timed out after ${seconds} s (${failure.reason})` }, exited: exitedPromise };
    }
    await Promise.race([exitedPromise, sleep(POLL_MS)]);
  }
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Whether `promise` settles within `ms`. */
async function settled(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let done = false;
  await Promise.race([promise.then(() => (done = true)), sleep(ms)]);
  return done;
}
