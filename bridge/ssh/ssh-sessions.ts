// The SSH session pools: up to N sessions per user, one connection each. HTTP routes, socket.io handlers
// and the Electron main process all go through this service.
import { EventEmitter } from 'node:events';
import type { Duplex } from 'node:stream';
import type { Client, ParsedKey } from 'ssh2';
import { AppError } from '../core/errors.js';
import type { ContainerPort } from '../core/container-port.js';
import type { Logger } from '../core/logger.js';
import { sessionsOf, type ConnsStore, type StoredSession } from '../store/conns-store.js';
import { HostKeyStore, type HostRoute } from './host-keys.js';
import type { PrivateKeyParser } from './private-key-parser.js';
import { openSshConnection, type SshCredentials, type SshEndpoint } from './ssh-connect.js';
import { SshSession, type ChannelLimits, type SessionInfo } from './ssh-session.js';
import type { SshTargetPolicy } from './ssh-target-policy.js';

export interface JumpHost extends SshCredentials {
  hostname: string;
  port: number;
}

export interface ConnectRequest extends SshEndpoint {
  userId: string;
  sessionId: string;
  jump?: JumpHost | undefined;
  /** The paired device that asked (the workstation's own addresses are refused to it); null for the owner. */
  deviceId: string | null;
  /** The caller's logger (an HTTP request's carries its request id). */
  log?: Logger | undefined;
}

/** A session as listed: live ones and the ones that dropped (or predate a restart). */
export interface SessionListing {
  session_id: string;
  hostname: string;
  username: string;
  port: number;
  active: boolean;
  connected_at: string;
  reason: string | null;
  via_jump: string | null;
}

export interface SshSessionServiceOptions {
  store: ConnsStore;
  hostKeys: HostKeyStore;
  logger: Logger;
  maxSessionsPerUser: number;
  maxChannelsPerConnection: number;
  channelsReservedForCommands: number;
  channelWaitMs: number;
  connectTimeoutMs: number;
  keepaliveIntervalMs: number;
  /** Decrypts users' private keys off the event loop, within a time limit. */
  keyParser: PrivateKeyParser;
  targetPolicy: SshTargetPolicy;
  /** Users' VPN containers: a user's connections leave through their tunnel while it is up (null: no containers). */
  containers: ContainerPort | null;
}

/** The request's private keys, decrypted once by the key parser; dropped when the connect ends. */
interface ParsedKeys {
  target: ParsedKey | undefined;
  jump: ParsedKey | undefined;
}

type ServiceEvents = {
  /** Anything about a user's sessions changed: connect, disconnect, drop. */
  change: [userId: string];
};

interface DroppedSession {
  stored: StoredSession;
  reason: string;
}

export class SshSessionService extends EventEmitter<ServiceEvents> {
  private readonly live = new Map<string, Map<string, SshSession>>();
  /** Sessions that dropped or came from the state file; listed inactive until replaced or removed. */
  private readonly dropped = new Map<string, Map<string, DroppedSession>>();
  /** Connects under way, counted against the limit so two racing connects cannot both take the last slot. */
  private readonly pending = new Map<string, Set<string>>();

  constructor(private readonly options: SshSessionServiceOptions) {
    super();
    this.setMaxListeners(0);
  }

  /** Restore the listing from the state file: every stored session comes back inactive. */
  restore(): void {
    for (const [userId, user] of this.options.store.allUsers()) {
      for (const [sessionId, stored] of Object.entries(user.sessions)) {
        this.userMap(this.dropped, userId).set(sessionId, {
          stored,
          reason: 'the bridge restarted; credentials are not kept, so connect again',
        });
      }
    }
  }

  async connect(request: ConnectRequest): Promise<SessionInfo> {
    const { userId, sessionId } = request;
    if (request.password === undefined && request.privateKey === undefined) {
      throw new AppError('invalid', 'password: Required (or give private_key)');
    }
    if (request.jump && request.jump.password === undefined && request.jump.privateKey === undefined) {
      throw new AppError('invalid', 'jump.password: Required (or give jump.private_key)');
    }

    const pending = this.userMap(this.pending, userId, () => new Set<string>());
    const liveSessions = this.live.get(userId);
    if (pending.has(sessionId)) throw new AppError('conflict', `Session '${sessionId}' is already connecting`);
    const others = new Set([...(liveSessions?.keys() ?? []), ...pending]);
    others.delete(sessionId);
    if (others.size >= this.options.maxSessionsPerUser) {
      throw new AppError(
        'conflict',
        `User '${userId}' already has ${others.size} SSH sessions, the limit is ${this.options.maxSessionsPerUser}: disconnect one or reuse a session_id`,
      );
    }
    pending.add(sessionId);
    try {
      // Counted as pending meanwhile: a user's parses are bounded by the session limit too.
      return await this.openSession(request, await this.parseKeys(request));
    } finally {
      pending.delete(sessionId);
    }
  }

  private async parseKeys(request: ConnectRequest): Promise<ParsedKeys> {
    const parser = this.options.keyParser;
    const [target, jump] = await Promise.all([
      request.privateKey === undefined ? undefined : parser.parse(request.privateKey, request.passphrase, 'private_key'),
      request.jump?.privateKey === undefined ? undefined : parser.parse(request.jump.privateKey, request.jump.passphrase, 'jump.private_key'),
    ]);
    return { target, jump };
  }

  private async openSession(request: ConnectRequest, keys: ParsedKeys): Promise<SessionInfo> {
    const { userId, sessionId } = request;
    const log = (request.log ?? this.options.logger).child({ user_id: userId, session_id: sessionId, host: request.hostname, port: request.port });
    const common = {
      hostKeys: this.options.hostKeys,
      learnedBy: { userId, deviceId: request.deviceId },
      timeoutMs: this.options.connectTimeoutMs,
      keepaliveIntervalMs: this.options.keepaliveIntervalMs,
    };
    let jumpClient: Client | null = null;
    let sock: Duplex | undefined;
    try {
      let connectAddress: string | undefined;
      let route: HostRoute;
      if (request.jump) {
        const jumpSock = (await this.options.containers?.openStream(userId, request.jump.hostname, request.jump.port)) ?? undefined;
        const jumpAddress = jumpSock ? undefined : await this.deviceAddress(request, request.jump, 'jump.hostname');
        const jumpRoute: HostRoute = { containerUser: jumpSock ? userId : null, jump: null };
        const jumpEndpoint = { ...common, endpoint: request.jump, key: keys.jump, route: jumpRoute, connectAddress: jumpAddress };
        jumpClient = (await openSshConnection({ ...jumpEndpoint, ...(jumpSock ? { sock: jumpSock } : {}) })).client;
        // The target is reached from the jump host's network, not the workstation's: not checked here.
        sock = await forwardThrough(jumpClient, request.hostname, request.port);
        route = { containerUser: jumpRoute.containerUser, jump: HostKeyStore.hostId(request.jump.hostname, request.jump.port) };
      } else {
        sock = (await this.options.containers?.openStream(userId, request.hostname, request.port)) ?? undefined;
        if (!sock) connectAddress = await this.deviceAddress(request, request, 'hostname');
        // Inside the user's container, names resolve by that container's /etc/hosts: its pins are the user's own.
        route = { containerUser: sock ? userId : null, jump: null };
      }
      const opened = await openSshConnection({ ...common, endpoint: request, key: keys.target, route, connectAddress, ...(sock ? { sock } : {}) });
      const info: SessionInfo = {
        userId,
        sessionId,
        hostname: request.hostname,
        username: request.username,
        port: request.port,
        connectedAt: new Date().toISOString(),
        viaJump: request.jump ? `${request.jump.username}@${request.jump.hostname}:${request.jump.port}` : null,
        hostKeyFingerprint: opened.hostKeyFingerprint,
      };
      const session = new SshSession(info, opened.client, channelLimits(this.options), jumpClient);
      this.adopt(session);
      log.info({ event: 'ssh.connect', via_jump: info.viaJump, fingerprint: info.hostKeyFingerprint }, 'ssh session connected');
      return info;
    } catch (error) {
      jumpClient?.end();
      sock?.destroy();
      log.info({ event: 'ssh.connect_failed', reason: (error as Error).message }, 'ssh connect failed');
      throw error;
    }
  }

  /**
   * For a device's direct connection (not through the user's VPN container, whose network is its own),
   * the checked address to connect to; the owner's connections resolve names as before.
   */
  private async deviceAddress(request: ConnectRequest, host: { hostname: string; port: number }, field: string): Promise<string | undefined> {
    if (request.deviceId === null) return undefined;
    return (await this.options.targetPolicy.deviceAddress(host.hostname, host.port, field)) ?? undefined;
  }

  private adopt(session: SshSession): void {
    const { userId, sessionId } = session.info;
    // Not the connect request's logger: a drop happens long after that request ended.
    const log = this.options.logger.child({ user_id: userId, session_id: sessionId, host: session.info.hostname, port: session.info.port });
    const sessions = this.userMap(this.live, userId);
    const replaced = sessions.get(sessionId);
    sessions.set(sessionId, session);
    this.dropped.get(userId)?.delete(sessionId);
    replaced?.close('replaced by a new connection with the same session_id');
    session.on('drop', (reason) => {
      if (this.live.get(userId)?.get(sessionId) !== session) return;
      this.live.get(userId)?.delete(sessionId);
      if (reason !== 'disconnected') {
        log.warn({ event: 'ssh.drop', reason }, 'ssh session dropped');
        this.userMap(this.dropped, userId).set(sessionId, { stored: toStored(session.info), reason });
        this.trimDropped(userId);
      }
      this.persist(userId);
    });
    this.trimDropped(userId);
    this.persist(userId);
  }

  /** Dropped entries are kept for the user to see, but never push the listing past the session limit. */
  private trimDropped(userId: string): void {
    const dropped = this.dropped.get(userId);
    if (!dropped) return;
    const liveCount = this.live.get(userId)?.size ?? 0;
    const oldestFirst = [...dropped.entries()].sort((a, b) => a[1].stored.connected_at.localeCompare(b[1].stored.connected_at));
    while (liveCount + dropped.size > this.options.maxSessionsPerUser && oldestFirst.length) {
      dropped.delete(oldestFirst.shift()![0]);
    }
  }

  private persist(userId: string): void {
    const snapshot = new Map<string, StoredSession>();
    for (const [id, entry] of this.dropped.get(userId) ?? []) snapshot.set(id, entry.stored);
    for (const [id, session] of this.live.get(userId) ?? []) snapshot.set(id, toStored(session.info));
    this.options.store
      .update(userId, (user) => {
        user.sessions = sessionsOf(Object.fromEntries(snapshot));
      })
      .catch((error: unknown) => this.options.logger.error({ err: error }, 'could not save conns.json'));
    this.emit('change', userId);
  }

  /** Disconnect one session (live or only listed). */
  disconnect(userId: string, sessionId: string, log: Logger = this.options.logger): void {
    const session = this.live.get(userId)?.get(sessionId);
    const wasListed = this.dropped.get(userId)?.delete(sessionId) ?? false;
    if (!session && !wasListed) throw new AppError('not_found', `No SSH session '${sessionId}' for user '${userId}'`);
    if (session) {
      this.live.get(userId)?.delete(sessionId);
      session.close('disconnected');
      log.info({ event: 'ssh.disconnect', user_id: userId, session_id: sessionId }, 'ssh session disconnected');
    }
    this.persist(userId);
  }

  /** Close every session of a user (VPN container removed, user removed). */
  disconnectAll(userId: string, reason: string): void {
    for (const session of this.live.get(userId)?.values() ?? []) session.close(reason);
  }

  list(userId: string): SessionListing[] {
    const listing: SessionListing[] = [];
    for (const [id, session] of this.live.get(userId) ?? []) {
      listing.push({ ...toListing(id, toStored(session.info)), active: session.active, reason: session.dropReason });
    }
    for (const [id, entry] of this.dropped.get(userId) ?? []) {
      listing.push({ ...toListing(id, entry.stored), active: false, reason: entry.reason });
    }
    return listing.sort((a, b) => a.connected_at.localeCompare(b.connected_at));
  }

  users(): string[] {
    return [...new Set([...this.live.keys(), ...this.dropped.keys()])];
  }

  /** A live session; without an id, `default` if live, else the most recently connected one. */
  find(userId: string, sessionId?: string): SshSession | null {
    const sessions = this.live.get(userId);
    if (!sessions) return null;
    if (sessionId !== undefined) return sessions.get(sessionId) ?? null;
    const preferred = sessions.get('default');
    if (preferred?.active) return preferred;
    let newest: SshSession | null = null;
    for (const session of sessions.values()) {
      if (session.active && (!newest || session.info.connectedAt >= newest.info.connectedAt)) newest = session;
    }
    return newest;
  }

  /** Like find, but a missing session is a 404 that says which. */
  require(userId: string, sessionId?: string): SshSession {
    const session = this.find(userId, sessionId);
    if (session) return session;
    const listed = sessionId !== undefined ? this.dropped.get(userId)?.get(sessionId) : undefined;
    if (listed) throw new AppError('not_found', `SSH session '${sessionId}' is not active (${listed.reason})`);
    throw new AppError(
      'not_found',
      sessionId !== undefined ? `No SSH session '${sessionId}' for user '${userId}'` : `User '${userId}' has no active SSH session: connect one first`,
    );
  }

  /** Close everything (shutdown); the listing is saved first so it survives as inactive entries. */
  async closeAll(): Promise<void> {
    for (const [userId, sessions] of this.live) {
      for (const session of sessions.values()) {
        this.userMap(this.dropped, userId).set(session.info.sessionId, {
          stored: toStored(session.info),
          reason: 'the bridge restarted; credentials are not kept, so connect again',
        });
      }
    }
    const all = [...this.live.values()].flatMap((sessions) => [...sessions.values()]);
    this.live.clear();
    for (const session of all) session.close('bridge shutting down');
    await this.options.store.flush();
  }

  private userMap<V>(map: Map<string, Map<string, V>>, userId: string): Map<string, V>;
  private userMap<V>(map: Map<string, V>, userId: string, make: () => V): V;
  private userMap<V>(map: Map<string, unknown>, userId: string, make: () => unknown = () => new Map<string, V>()): unknown {
    let value = map.get(userId);
    if (!value) {
      value = make();
      map.set(userId, value);
    }
    return value;
  }
}

function forwardThrough(jump: Client, hostname: string, port: number): Promise<Duplex> {
  return new Promise((resolve, reject) => {
    jump.forwardOut('127.0.0.1', 0, hostname, port, (error, stream) => {
      if (error) reject(new AppError('upstream_failed', `The jump host could not reach ${hostname}:${port}: ${error.message}`));
      else resolve(stream);
    });
  });
}

function toStored(info: SessionInfo): StoredSession {
  return {
    hostname: info.hostname,
    username: info.username,
    port: info.port,
    connected_at: info.connectedAt,
    via_jump: info.viaJump,
    host_key_fingerprint: info.hostKeyFingerprint,
  };
}

function toListing(sessionId: string, stored: StoredSession): Omit<SessionListing, 'active' | 'reason'> {
  return {
    session_id: sessionId,
    hostname: stored.hostname,
    username: stored.username,
    port: stored.port,
    connected_at: stored.connected_at,
    via_jump: stored.via_jump,
  };
}

function channelLimits(options: SshSessionServiceOptions): ChannelLimits {
  return { maxChannels: options.maxChannelsPerConnection, reservedForCommands: options.channelsReservedForCommands, waitMs: options.channelWaitMs };
}
