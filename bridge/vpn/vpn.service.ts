// One VPN container per user: create or reuse it, have its tunnel started and watched (tunnel-supervisor.ts),
// remove it on disconnect, and adopt the ones a previous bridge process left running.
import crypto from 'node:crypto';
import { EventEmitter } from 'node:events';
import { AppError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { BridgeConfig } from '../config/config.js';
import type { VpnContainerList, VpnStatusResponse, VpnUserState } from '../contracts/vpn.js';
import type { ConnsStore } from '../store/conns-store.js';
import type { ContainerDriver, ContainerInfo } from './container-driver.js';
import type { TunnelRequest } from './openconnect-args.js';
import { adoptedTunnel, explainDown, newTunnel } from './tunnel-record.js';
import { TunnelSupervisor } from './tunnel-supervisor.js';
import { UserGate } from './user-gate.js';
import { openconnectTunnels } from './vpn-login.js';
import type { VpnPrompts } from './vpn-prompts.js';
import { containerList, statusAnswer, userSnapshot, type VpnRecord } from './vpn-records.js';
import { probeTunnel, readFailure, stopTunnel } from './vpn-tunnel.js';

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
  private readonly supervisor: TunnelSupervisor;

  constructor(private readonly options: VpnServiceOptions) {
    super();
    this.setMaxListeners(0);
    this.gate = new UserGate(options.config.cooldownMs);
    const { driver, prompts, config, logger } = options;
    this.supervisor = new TunnelSupervisor({
      tunnels: openconnectTunnels({ driver, prompts, connectTimeoutMs: config.connectTimeoutMs }),
      gate: this.gate,
      logger,
      isCurrent: (record) => this.records.get(record.userId) === record,
      changed: (userId) => this.changed(userId),
      exited: (userId) => this.refresh(userId),
    });
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
      this.supervisor.cancelRetry(record);
      if (!request.real || !request.tunnel) {
        if (record.tunnel) await stopTunnel(this.driver, record.containerId).catch(() => undefined);
        record.tunnel = null;
        this.changed(userId);
        return { containerId: record.containerId };
      }
      record.tunnel = newTunnel(request.tunnel, request.autoReconnect ? request.password : null);
      this.changed(userId);
      const failure = await this.supervisor.start(record, request.password, false);
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
    this.supervisor.cancelRetry(record);
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
    return statusAnswer(record, this.snapshot(userId));
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
      if (this.records.get(userId) === record && record.tunnel === tunnel && !tunnel.starting) await this.supervisor.observe(record, tunnel, probe);
    }
    return true;
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
      const record = await this.adoptedRecord(userId, container);
      this.records.set(userId, record);
      await this.save(record);
      this.options.logger.info({ event: 'vpn.adopted', user_id: userId, container_id: container.id, state: record.tunnel?.state ?? 'none' }, 'vpn container adopted');
      this.changed(userId);
    }
    for (const [userId, user] of this.options.store.allUsers()) {
      if (user.container_id && !this.records.has(userId)) await this.forget(userId);
    }
  }

  /** A running container found at start, with its tunnel as the container shows it. */
  private async adoptedRecord(userId: string, container: ContainerInfo): Promise<VpnRecord> {
    const stored = this.options.store.user(userId);
    const startedAt = stored?.container_id === container.id && stored.container_started_at ? stored.container_started_at : container.createdAt;
    const record: VpnRecord = { userId, containerId: container.id, startedAt, tunnel: null };
    const probe = await probeTunnel(this.driver, container.id).catch(() => null);
    if (probe?.server) {
      record.tunnel = adoptedTunnel(probe.server, probe);
      if (record.tunnel.state === 'down') explainDown(record.tunnel, await readFailure(this.driver, container.id, probe.attempt ?? '', 'openconnect exited'));
    }
    return record;
  }

  users(): string[] {
    return [...this.records.keys()];
  }

  /** Every user's container, for the owner's overview. */
  listContainers(): VpnContainerList['containers'] {
    return containerList(this.records.values());
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
    return userSnapshot(this.records.get(userId), this.lastFailure.get(userId) ?? null, this.options.prompts.current(userId));
  }

  private changed(userId: string): void {
    this.emit('change', userId);
  }

  /** Shutdown: containers keep running (the next start adopts them); timers and credentials go. */
  close(): void {
    this.supervisor.close(this.records.values());
    this.options.prompts.close();
  }
}
