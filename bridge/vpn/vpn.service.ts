// One VPN container per user: create or reuse it, log in and start openconnect in it (vpn-login.ts), report
// the tunnel as the container tells it, remove it on disconnect, and adopt the ones a previous bridge
// process left running.
import crypto from 'node:crypto';
import { EventEmitter } from 'node:events';
import { AppError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { BridgeConfig } from '../config/config.js';
import type { VpnContainerList, VpnStatusResponse, VpnUserState } from '../contracts/vpn.js';
import type { ConnsStore } from '../store/conns-store.js';
import type { ContainerDriver, ContainerInfo } from './container-driver.js';
import type { TunnelRequest } from './openconnect-args.js';
import { applyProbe, newTunnel, tunnelView, RECONNECT_FIRST_MS, RECONNECT_MAX_MS, RETRYING, type TunnelRecord } from './tunnel-record.js';
import { UserGate } from './user-gate.js';
import { loginAndStart, type LoginDeps } from './vpn-login.js';
import type { VpnPrompts } from './vpn-prompts.js';
import { probeTunnel, readFailure, stopTunnel, type TunnelFailure } from './vpn-tunnel.js';
import type { TunnelProbe } from './vpn-status.parser.js';

export const LABEL_USER = 'vigilink.user';
export const LABEL_INSTANCE = 'vigilink.instance';

export interface VpnConnectRequest {
  userId: string;
  real: boolean;
  tunnel: TunnelRequest | null;
  password: string;
  autoReconnect: boolean;
  /** false: answer once the container runs; the login goes on (its forms arrive as prompts). Default true. */
  wait?: boolean;
}

export interface VpnRecord {
  userId: string;
  containerId: string;
  startedAt: string;
  /** null: a container without openconnect (real=false). */
  tunnel: TunnelRecord | null;
}

export interface VpnServiceOptions {
  driver: ContainerDriver;
  store: ConnsStore;
  logger: Logger;
  config: BridgeConfig['vpn'];
  /** Tells this bridge's containers from other bridges' on the same Docker (a hash of the data folder). */
  instance: string;
  /** Login forms the user answers (second factors, group choices). */
  prompts: VpnPrompts;
  /** Close a user's SSH sessions (those through the container die with it). */
  closeSessions(userId: string, reason: string): void;
}


type Events = { change: [userId: string] };

export class VpnService extends EventEmitter<Events> {
  private readonly records = new Map<string, VpnRecord>();
  /** Serialises a user's connect/disconnect/reconnect and spaces connects (VPN_COOLDOWN_SECONDS). */
  private readonly gate: UserGate;
  /** Why the last connect failed, shown while no container is left (clients that did not wait learn it here). */
  private readonly lastFailure = new Map<string, string>();
  private closed = false;

  constructor(private readonly options: VpnServiceOptions) {
    super();
    this.setMaxListeners(0);
    this.gate = new UserGate(options.config.cooldownMs);
  }

  get driver(): ContainerDriver {
    return this.options.driver;
  }

  /** Container name: per user and per bridge, within Docker's name alphabet. */
  containerName(userId: string): string {
    const safe = userId.replace(/[^A-Za-z0-9_.-]/g, '_');
    const suffix = safe === userId ? '' : `-${crypto.createHash('sha256').update(userId).digest('hex').slice(0, 6)}`;
    return `vigilink-${safe}${suffix}-${this.options.instance}`;
  }

  async connect(request: VpnConnectRequest): Promise<{ containerId: string }> {
    const { userId } = request;
    if (request.real && !request.tunnel) throw new AppError('invalid', 'vpn_url: Required when real is true');
    this.gate.checkCooldown(userId);
    // A login still waiting for an answer gives way to this connect instead of holding the lock.
    this.options.prompts.cancel(userId, 'a new connect replaced it');
    this.lastFailure.delete(userId);
    let containerReady!: (result: { containerId: string }) => void;
    const ready = new Promise<{ containerId: string }>((resolve) => (containerReady = resolve));
    const work = this.gate.lock(userId, async () => {
      const log = this.options.logger.child({ user_id: userId });
      const record = await this.ensureContainer(userId, log);
      containerReady({ containerId: record.containerId });
      this.cancelReconnect(record);
      if (!request.real || !request.tunnel) {
        if (record.tunnel) await stopTunnel(this.driver, record.containerId).catch(() => undefined);
        record.tunnel = null;
        this.changed(userId);
        return { containerId: record.containerId };
      }
      record.tunnel = newTunnel(request.tunnel, request.autoReconnect ? request.password : null);
      record.tunnel.state = 'connecting';
      this.changed(userId);
      const failure = await this.runTunnel(record, request.password, log, false);
      if (failure) {
        // Nothing is left running after a failed connect: not openconnect, not the container.
        this.lastFailure.set(userId, `VPN connection failed: ${failure.reason}`);
        await this.removeRecord(record, 'the VPN connection failed');
        throw new AppError('failed', `VPN connection failed: ${failure.reason}`, { extra: { log_tail: failure.logTail } });
      }
      return { containerId: record.containerId };
    });
    if (request.wait !== false) return work;
    work.catch((error: unknown) => this.options.logger.info({ event: 'vpn.connect_failed', user_id: userId, err: error }, 'vpn connect (not waited for) failed'));
    return Promise.race([ready, work]);
  }

  /** Log in, start openconnect for a record and apply the outcome; returns the failure, if any. */
  private async runTunnel(record: VpnRecord, password: string, log: Logger, reconnect: boolean): Promise<TunnelFailure | null> {
    const tunnel = record.tunnel!;
    tunnel.starting = true;
    let started: Awaited<ReturnType<typeof loginAndStart>>;
    try {
      started = await loginAndStart(this.loginDeps(record), { userId: record.userId, containerId: record.containerId, tunnel, password, reconnect });
    } finally {
      tunnel.starting = false;
    }
    if (record.tunnel !== tunnel) return null;
    tunnel.attempt = started.attempt;
    if (!started.outcome.ok) {
      Object.assign(tunnel, { state: 'down', ip: null, since: null, reason: started.outcome.reason, logTail: started.outcome.logTail });
      log.warn({ event: 'vpn.connect_failed', reason: started.outcome.reason }, 'vpn connect failed');
      this.changed(record.userId);
      return started.outcome;
    }
    if (applyProbe(tunnel, started.outcome.probe)) this.changed(record.userId);
    tunnel.reconnectDelayMs = RECONNECT_FIRST_MS;
    log.info({ event: 'vpn.up', ip: tunnel.ip, server: tunnel.request.server }, 'vpn tunnel up');
    // This process started openconnect, so it hears its exit at once rather than at the next probe.
    void started.exited.then(async () => {
      if (this.closed || record.tunnel?.attempt !== started.attempt) return;
      await this.refresh(record.userId).catch((error: unknown) => log.warn({ event: 'vpn.probe_failed', err: error }, 'vpn probe failed'));
    });
    return null;
  }

  private loginDeps(record: VpnRecord): LoginDeps {
    const { prompts, config } = this.options;
    return { driver: this.driver, prompts, connectTimeoutMs: config.connectTimeoutMs, changed: (userId) => this.changed(userId), current: (t) => record.tunnel === t };
  }

  private async ensureContainer(userId: string, log: Logger): Promise<VpnRecord> {
    const existing = this.records.get(userId);
    if (existing) {
      const info = await this.driver.inspect(existing.containerId);
      if (info?.running) return existing;
      await this.removeRecord(existing, 'the container had stopped');
    }
    const { config, instance } = this.options;
    // A container of ours under this name that we do not know (left from a crash between create and save).
    for (const stray of await this.driver.list({ [LABEL_USER]: userId, [LABEL_INSTANCE]: instance })) await this.driver.remove(stray.id);
    const info = await this.driver.create({
      name: this.containerName(userId),
      image: config.image,
      labels: { [LABEL_USER]: userId, [LABEL_INSTANCE]: instance },
      network: config.network,
      memoryBytes: config.memoryBytes,
      nanoCpus: config.nanoCpus,
      pidsLimit: config.pidsLimit,
    });
    const record: VpnRecord = { userId, containerId: info.id, startedAt: new Date().toISOString(), tunnel: null };
    this.records.set(userId, record);
    await this.save(record);
    log.info({ event: 'vpn.container_created', container_id: info.id, name: info.name }, 'vpn container created');
    return record;
  }

  private save(record: VpnRecord): Promise<void> {
    return this.options.store.update(record.userId, (user) => {
      user.container_id = record.containerId;
      user.container_started_at = record.startedAt;
    });
  }

  private forget(userId: string): Promise<void> {
    this.records.delete(userId);
    return this.options.store.update(userId, (user) => {
      user.container_id = null;
      user.container_started_at = null;
    });
  }

  private async removeRecord(record: VpnRecord, reason: string): Promise<void> {
    if (record.tunnel) this.cancelReconnect(record);
    record.tunnel = null;
    this.records.delete(record.userId);
    this.options.closeSessions(record.userId, `the VPN container was removed: ${reason}`);
    await this.driver.remove(record.containerId);
    await this.forget(record.userId);
    this.options.logger.info({ event: 'vpn.container_removed', user_id: record.userId, container_id: record.containerId, reason }, 'vpn container removed');
    this.changed(record.userId);
  }

  private require(userId: string): VpnRecord {
    const record = this.records.get(userId);
    if (!record) throw new AppError('not_found', `User '${userId}' has no VPN container`);
    return record;
  }

  async status(userId: string): Promise<VpnStatusResponse> {
    const record = this.require(userId);
    if (!(await this.refresh(userId))) throw new AppError('not_found', `User '${userId}' has no VPN container (it stopped or was removed)`);
    const { container_id: _id, prompt: _prompt, ...vpn } = this.snapshot(userId);
    return { connected: vpn.state === 'up' || !record.tunnel, container_id: record.containerId, vpn };
  }

  async disconnect(userId: string, reason = 'disconnected'): Promise<void> {
    this.require(userId);
    this.options.prompts.cancel(userId, reason);
    await this.gate.lock(userId, async () => {
      // A login this disconnect abandoned has removed the container already.
      const record = this.records.get(userId);
      if (!record) return;
      // openconnect logs out of the server first; a container that is already gone is fine.
      if (record.tunnel) await stopTunnel(this.driver, record.containerId).catch(() => undefined);
      await this.removeRecord(record, reason);
    });
  }

  /** Probe the container and update the record; false when the container is not running (then it is forgotten). */
  async refresh(userId: string): Promise<boolean> {
    const record = this.records.get(userId);
    if (!record) return false;
    const info = await this.driver.inspect(record.containerId);
    if (!info?.running) {
      if (this.records.get(userId) === record) {
        this.options.logger.warn({ event: 'vpn.container_gone', user_id: userId, container_id: record.containerId }, 'vpn container is gone');
        await this.removeRecord(record, 'the container stopped or was removed outside the bridge');
      }
      return false;
    }
    const tunnel = record.tunnel;
    if (tunnel && !tunnel.starting) {
      const probe = await probeTunnel(this.driver, record.containerId);
      // A connect may have replaced the tunnel meanwhile; it then owns the state.
      if (this.records.get(userId) === record && record.tunnel === tunnel && !tunnel.starting) await this.applyProbeAndReact(record, tunnel, probe);
    }
    return true;
  }

  private async applyProbeAndReact(record: VpnRecord, tunnel: TunnelRecord, probe: TunnelProbe): Promise<void> {
    const before = tunnel.state;
    const wasAlive = tunnel.alive;
    if (applyProbe(tunnel, probe)) this.changed(record.userId);
    const exitedNow = wasAlive && !tunnel.alive;
    if (tunnel.state === 'down' && (before !== 'down' || exitedNow)) {
      const failure = await readFailure(this.driver, record.containerId, tunnel.attempt ?? '', 'openconnect exited');
      Object.assign(tunnel, { reason: tunnel.alive ? RETRYING : failure.reason, logTail: failure.logTail });
      this.options.logger.warn({ event: 'vpn.down', user_id: record.userId, reason: tunnel.reason }, 'vpn tunnel went down');
      this.changed(record.userId);
      // While openconnect retries by itself the bridge waits; once it has given up, auto-reconnect takes over.
      if (!tunnel.alive) this.scheduleReconnect(record, failure.loginProblem);
    }
  }

  private scheduleReconnect(record: VpnRecord, loginProblem: string | null): void {
    const tunnel = record.tunnel;
    if (!tunnel || tunnel.password === null || this.closed) return;
    if (loginProblem) {
      tunnel.password = null;
      tunnel.reason = `auto-reconnect stopped: ${loginProblem}`;
      this.changed(record.userId);
      return;
    }
    const delay = tunnel.reconnectDelayMs;
    tunnel.reconnectDelayMs = Math.min(delay * 2, RECONNECT_MAX_MS);
    this.options.logger.info({ event: 'vpn.reconnect_scheduled', user_id: record.userId, in_ms: delay }, 'vpn reconnect scheduled');
    tunnel.reconnectTimer = setTimeout(() => {
      tunnel.reconnectTimer = null;
      void this.reconnect(record, tunnel).catch((error: unknown) =>
        this.options.logger.warn({ event: 'vpn.reconnect_failed', user_id: record.userId, err: error }, 'vpn reconnect failed'),
      );
    }, delay);
    tunnel.reconnectTimer.unref();
  }

  private reconnect(record: VpnRecord, tunnel: TunnelRecord): Promise<void> {
    return this.gate.lock(record.userId, async () => {
      if (this.closed || this.records.get(record.userId) !== record || record.tunnel !== tunnel || tunnel.password === null) return;
      Object.assign(tunnel, { state: 'authenticating', reason: 'reconnecting' });
      this.changed(record.userId);
      const failure = await this.runTunnel(record, tunnel.password, this.options.logger.child({ user_id: record.userId }), true);
      if (failure) this.scheduleReconnect(record, failure.loginProblem);
    });
  }

  private cancelReconnect(record: VpnRecord): void {
    if (record.tunnel?.reconnectTimer) clearTimeout(record.tunnel.reconnectTimer);
    if (record.tunnel) record.tunnel.reconnectTimer = null;
  }

  /** Remove containers older than CONTAINER_TIMEOUT. */
  async expireOld(now = Date.now()): Promise<void> {
    const limit = this.options.config.containerTimeoutMs;
    if (limit === null) return;
    for (const record of [...this.records.values()]) {
      if (now - Date.parse(record.startedAt) > limit) {
        await this.disconnect(record.userId, `older than CONTAINER_TIMEOUT (${limit / 1000} s)`).catch(() => undefined);
      }
    }
  }

  /** At start: take back this bridge's running containers, remove stopped ones, forget what is gone. */
  async adopt(): Promise<void> {
    const found: ContainerInfo[] = await this.driver.list({ [LABEL_INSTANCE]: this.options.instance });
    for (const container of found) {
      const userId = container.labels[LABEL_USER];
      if (!userId || !container.running || this.records.has(userId)) {
        await this.driver.remove(container.id);
        continue;
      }
      const stored = this.options.store.user(userId);
      const record: VpnRecord = {
        userId,
        containerId: container.id,
        startedAt: stored?.container_id === container.id && stored.container_started_at ? stored.container_started_at : container.createdAt,
        tunnel: null,
      };
      const probe = await probeTunnel(this.driver, container.id).catch(() => null);
      if (probe?.server) {
        // The request's details are not kept across restarts, only what the container shows; no password.
        record.tunnel = newTunnel({ server: probe.server, protocol: 'anyconnect' }, null);
        record.tunnel.attempt = probe.attempt;
        applyProbe(record.tunnel, probe);
        if (record.tunnel.state === 'down') {
          const failure = await readFailure(this.driver, container.id, probe.attempt ?? '', 'openconnect exited');
          Object.assign(record.tunnel, { reason: failure.reason, logTail: failure.logTail });
        }
      }
      this.records.set(userId, record);
      await this.save(record);
      this.options.logger.info({ event: 'vpn.adopted', user_id: userId, container_id: container.id, state: record.tunnel?.state ?? 'none' }, 'vpn container adopted');
      this.changed(userId);
    }
    for (const [userId, user] of this.options.store.allUsers()) {
      if (user.container_id && !this.records.has(userId)) await this.forget(userId);
    }
  }

  users(): string[] {
    return [...this.records.keys()];
  }

  /** Every user's container, for the owner's overview. */
  listContainers(): VpnContainerList['containers'] {
    return [...this.records.values()]
      .map((record) => ({
        user_id: record.userId,
        container_id: record.containerId,
        started_at: record.startedAt,
        state: record.tunnel?.state ?? 'none',
        ip: record.tunnel?.ip ?? null,
        server: record.tunnel?.request.server ?? null,
      }))
      .sort((a, b) => a.user_id.localeCompare(b.user_id));
  }

  /** How many users have a container (the desktop tray shows it). */
  containerCount(): number {
    return this.records.size;
  }

  /** The user's running container, for commands and files (null: none). */
  containerFor(userId: string): string | null {
    return this.records.get(userId)?.containerId ?? null;
  }

  /** The container whose tunnel is up, for SSH through it (null: connect directly). */
  tunnelContainer(userId: string): string | null {
    const record = this.records.get(userId);
    return record?.tunnel?.state === 'up' ? record.containerId : null;
  }

  snapshot(userId: string): VpnUserState {
    const record = this.records.get(userId);
    const view = tunnelView(record?.tunnel ?? null, record ? null : (this.lastFailure.get(userId) ?? null));
    return { container_id: record?.containerId ?? null, ...view, prompt: this.options.prompts.current(userId) };
  }

  private changed(userId: string): void {
    this.emit('change', userId);
  }

  /** Shutdown: containers keep running (the next start adopts them); timers and credentials go. */
  close(): void {
    this.closed = true;
    this.options.prompts.close();
    for (const record of this.records.values()) {
      this.cancelReconnect(record);
      if (record.tunnel) record.tunnel.password = null;
    }
  }
}
