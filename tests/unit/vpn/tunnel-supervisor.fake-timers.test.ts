// The tunnel supervisor's reconnect loop on fake timers, with the tunnel start and the container's log
// (the openconnect boundary) stubbed: backoff growth and cap, reset on success, cancel, login problems.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createLogger } from '../../../bridge/core/logger.js';
import { newTunnel, RETRYING, tunnelView, type LoginStep } from '../../../bridge/vpn/tunnel-record.js';
import { TunnelSupervisor, type TunnelBoundary, type TunnelHolder } from '../../../bridge/vpn/tunnel-supervisor.js';
import { UserGate } from '../../../bridge/vpn/user-gate.js';
import type { LoginTarget } from '../../../bridge/vpn/vpn-login.js';
import type { TunnelProbe } from '../../../bridge/vpn/vpn-status.parser.js';
import type { StartedTunnel, TunnelFailure } from '../../../bridge/vpn/vpn-tunnel.js';

const BACKOFF = { firstMs: 1_000, maxMs: 5_000 };
const probe = (fields: Partial<TunnelProbe>): TunnelProbe => ({ pid: null, ip: null, server: 'vpn.example', upSince: null, reconnecting: false, attempt: 'a0', ...fields });
const UP = probe({ pid: 42, ip: '10.10.0.2' });
const GONE = probe({});
const never = new Promise<never>(() => undefined);
const up = (attempt: string): StartedTunnel => ({ attempt, outcome: { ok: true, probe: { ...UP, attempt } }, exited: never });
const failed = (failure: Partial<TunnelFailure> = {}): StartedTunnel => ({
  attempt: 'failed',
  outcome: { ok: false, reason: 'server unreachable', logTail: ['connect: no route'], loginProblem: null, ...failure },
  exited: Promise.resolve(),
});

/** Stands in for openconnect in a container: each start takes the next scripted answer (the last one repeats). */
class StubTunnels implements TunnelBoundary {
  readonly startedAt: number[] = [];
  readonly reconnects: boolean[] = [];
  exitFailure: TunnelFailure = { reason: 'openconnect exited', logTail: ['Server closed the connection'], loginProblem: null };

  constructor(private readonly script: Array<StartedTunnel | ((reportStep: (step: LoginStep) => void) => Promise<StartedTunnel>)>) {}

  async start(target: LoginTarget, reportStep: (step: LoginStep) => void): Promise<StartedTunnel> {
    this.startedAt.push(Date.now());
    this.reconnects.push(target.reconnect);
    reportStep('authenticating');
    const next = this.script.length > 1 ? this.script.shift()! : this.script[0]!;
    return typeof next === 'function' ? next(reportStep) : next;
  }

  async readFailure(): Promise<TunnelFailure> {
    return this.exitFailure;
  }

  /** Milliseconds between successive starts. */
  gaps(): number[] {
    return this.startedAt.slice(1).map((at, i) => at - this.startedAt[i]!);
  }
}

function supervise(tunnels: StubTunnels, password: string | null = 'secret') {
  const holder: TunnelHolder = { userId: 'alice', containerId: 'c1', tunnel: newTunnel({ server: 'vpn.example', protocol: 'anyconnect' }, password) };
  const changes: string[] = [];
  const exited = vi.fn(async () => true);
  const supervisor = new TunnelSupervisor({
    tunnels,
    gate: new UserGate(0),
    logger: createLogger({ level: 'silent' }),
    backoff: BACKOFF,
    isCurrent: () => true,
    changed: (userId) => changes.push(userId),
    exited,
  });
  const view = () => tunnelView(holder.tunnel, null);
  /** The tunnel comes up through a connect, then the container reports openconnect gone. */
  const connectThenDrop = async () => {
    expect(await supervisor.start(holder, 'secret', false)).toBeNull();
    expect(view().state).toBe('up');
    await supervisor.observe(holder, holder.tunnel!, GONE);
  };
  return { holder, supervisor, changes, exited, view, connectThenDrop };
}

beforeEach(() => void vi.useFakeTimers());
afterEach(() => void vi.useRealTimers());

describe('TunnelSupervisor on fake timers (tunnel start and log stubbed)', () => {
  it('retries a dropped tunnel after delays that double from the first and stop at the cap', async () => {
    const tunnels = new StubTunnels([up('a1'), failed()]);
    const { view, connectThenDrop } = supervise(tunnels);
    await connectThenDrop();
    expect(view()).toMatchObject({ state: 'down', reason: 'openconnect exited', log_tail: ['Server closed the connection'], auto_reconnect: true });
    expect(vi.getTimerCount()).toBe(1);

    await vi.advanceTimersByTimeAsync(BACKOFF.firstMs - 1);
    expect(tunnels.startedAt).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1 + 2_000 + 4_000 + 5_000 + 5_000);
    expect(tunnels.gaps()).toEqual([1_000, 2_000, 4_000, 5_000, 5_000]);
    expect(tunnels.reconnects).toEqual([false, true, true, true, true, true]);
    expect(view()).toMatchObject({ state: 'down', reason: 'server unreachable', log_tail: ['connect: no route'], auto_reconnect: true });
  });

  it('shows the reconnect while it logs in', async () => {
    let finish!: (started: StartedTunnel) => void;
    const tunnels = new StubTunnels([up('a1'), () => new Promise((resolve) => (finish = resolve))]);
    const { view, connectThenDrop } = supervise(tunnels);
    await connectThenDrop();
    await vi.advanceTimersByTimeAsync(BACKOFF.firstMs);
    expect(view()).toMatchObject({ state: 'authenticating', auto_reconnect: true });
    finish(up('a2'));
    await vi.advanceTimersByTimeAsync(0);
    expect(view()).toMatchObject({ state: 'up', ip: UP.ip, reason: null });
  });

  it('resets the delay once a reconnect succeeds', async () => {
    const tunnels = new StubTunnels([up('a1'), failed(), failed(), up('a2'), failed()]);
    const { holder, supervisor, view, connectThenDrop } = supervise(tunnels);
    await connectThenDrop();
    await vi.advanceTimersByTimeAsync(1_000 + 2_000);
    expect(tunnels.startedAt).toHaveLength(3);
    await vi.advanceTimersByTimeAsync(4_000);
    expect(view().state).toBe('up');
    expect(vi.getTimerCount()).toBe(0);

    await supervisor.observe(holder, holder.tunnel!, { ...GONE, attempt: 'a2' });
    await vi.advanceTimersByTimeAsync(1_000 + 2_000);
    expect(tunnels.gaps()).toEqual([1_000, 2_000, 4_000, 1_000, 2_000]);
  });

  it('cancels a pending retry (disconnect, new connect): nothing starts later', async () => {
    const tunnels = new StubTunnels([up('a1'), failed()]);
    const { holder, supervisor, connectThenDrop } = supervise(tunnels);
    await connectThenDrop();
    expect(vi.getTimerCount()).toBe(1);
    supervisor.cancelRetry(holder);
    expect(vi.getTimerCount()).toBe(0);
    await vi.advanceTimersByTimeAsync(10 * 60_000);
    expect(tunnels.startedAt).toHaveLength(1);
  });

  it('at shutdown cancels retries and forgets the password', async () => {
    const tunnels = new StubTunnels([up('a1'), failed()]);
    const { holder, supervisor, view, connectThenDrop } = supervise(tunnels);
    await connectThenDrop();
    supervisor.close([holder]);
    expect(view().auto_reconnect).toBe(false);
    await vi.advanceTimersByTimeAsync(10 * 60_000);
    expect(tunnels.startedAt).toHaveLength(1);
  });

  it('does not reconnect a tunnel that was replaced while its retry waited', async () => {
    const tunnels = new StubTunnels([up('a1'), failed()]);
    const { holder, connectThenDrop } = supervise(tunnels);
    await connectThenDrop();
    holder.tunnel = null;
    await vi.advanceTimersByTimeAsync(10 * 60_000);
    expect(tunnels.startedAt).toHaveLength(1);
  });

  it('waits while openconnect retries by itself, and takes over once it gives up', async () => {
    const tunnels = new StubTunnels([up('a1'), failed()]);
    const { holder, supervisor, view } = supervise(tunnels);
    await supervisor.start(holder, 'secret', false);
    await supervisor.observe(holder, holder.tunnel!, { ...UP, reconnecting: true });
    expect(view()).toMatchObject({ state: 'down', reason: RETRYING, ip: null });
    expect(vi.getTimerCount()).toBe(0);
    await supervisor.observe(holder, holder.tunnel!, GONE);
    expect(view()).toMatchObject({ state: 'down', reason: 'openconnect exited' });
    expect(vi.getTimerCount()).toBe(1);
  });

  it('a reconnect whose login needs an answer (MFA) shows needs_answer and schedules nothing more', async () => {
    let finish!: (started: StartedTunnel) => void;
    const tunnels = new StubTunnels([
      up('a1'),
      (reportStep) => {
        reportStep('needs_answer');
        return new Promise((resolve) => (finish = resolve));
      },
    ]);
    const { view, changes, connectThenDrop } = supervise(tunnels);
    await connectThenDrop();
    await vi.advanceTimersByTimeAsync(BACKOFF.firstMs);
    expect(view()).toMatchObject({ state: 'needs_answer', auto_reconnect: true });
    expect(changes.length).toBeGreaterThan(0);
    expect(vi.getTimerCount()).toBe(0);
    await vi.advanceTimersByTimeAsync(10 * 60_000);
    expect(tunnels.startedAt).toHaveLength(2);

    // Nobody answered: the same credentials cannot work again, so retrying stops (no lockout by retries).
    const problem = 'nobody answered the login form within 120 s';
    finish(failed({ reason: problem, loginProblem: problem }));
    await vi.advanceTimersByTimeAsync(0);
    expect(view()).toMatchObject({ state: 'down', reason: `auto-reconnect stopped: ${problem}`, auto_reconnect: false });
    await vi.advanceTimersByTimeAsync(10 * 60_000);
    expect(tunnels.startedAt).toHaveLength(2);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('stops auto-reconnect at once when the drop itself names a login problem', async () => {
    const tunnels = new StubTunnels([up('a1')]);
    tunnels.exitFailure = { reason: 'Login failed', logTail: [], loginProblem: 'the server refused the login: Login failed' };
    const { view, connectThenDrop } = supervise(tunnels);
    await connectThenDrop();
    expect(view()).toMatchObject({ state: 'down', reason: 'auto-reconnect stopped: the server refused the login: Login failed', auto_reconnect: false });
    expect(vi.getTimerCount()).toBe(0);
  });

  it('without auto-reconnect a drop only shows the reason', async () => {
    const tunnels = new StubTunnels([up('a1')]);
    const { view, connectThenDrop } = supervise(tunnels, null);
    await connectThenDrop();
    expect(view()).toMatchObject({ state: 'down', reason: 'openconnect exited', auto_reconnect: false });
    expect(vi.getTimerCount()).toBe(0);
  });

  it("probes at once when the openconnect it started exits, not at the next health round", async () => {
    let exit!: () => void;
    const exitedTunnel: StartedTunnel = { ...up('a1'), exited: new Promise<void>((resolve) => (exit = resolve)) };
    const { holder, supervisor, exited } = supervise(new StubTunnels([exitedTunnel]));
    await supervisor.start(holder, 'secret', false);
    expect(exited).not.toHaveBeenCalled();
    exit();
    await vi.advanceTimersByTimeAsync(0);
    expect(exited).toHaveBeenCalledWith('alice');
  });
});
