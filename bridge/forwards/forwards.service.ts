// Port forwards: open (through the user's SSH session, or their VPN container without one), list, close,
// one-time links; at most FORWARDS_MAX_PER_USER each; closed when idle, when their session goes, at shutdown.
import crypto from 'node:crypto';
import type { Duplex } from 'node:stream';
import type { Principal } from '../core/principal.js';
import type { AuditLog, AuditSource } from '../audit/audit-log.js';
import { SYSTEM_SOURCE } from '../audit/audit-log.js';
import type { AbortRegistry } from '../core/abort-registry.js';
import { AppError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { ContainerPort } from '../core/container-port.js';
import type { SshSession } from '../ssh/ssh-session.js';
import type { SshSessionService } from '../ssh/ssh-sessions.js';
import type { TlsService } from '../tls/tls.service.js';
import type { HostCheck } from '../transport/host-check.js';
import { FORWARDS_MAX_PER_USER, type Forward } from '../contracts/forwards.js';
import { ForwardAccess } from './forward-access.js';
import { ForwardServer, OPEN_PATH } from './forward-server.js';
import { CONTAINER_SETTLE_MS, probeUpstream, type OpenUpstream } from './forward-upstream.js';

export interface ForwardsServiceOptions {
  sessions: SshSessionService;
  /** Users' VPN containers: a forward leaves through the user's tunnel while it is up (null: no containers). */
  containers: ContainerPort | null;
  audit: AuditLog;
  deviceWork: AbortRegistry;
  hostCheck: HostCheck;
  tls: TlsService;
  logger: Logger;
  /** Where forward ports listen (the bridge's own host) and which ones they may take. */
  listenHost: string;
  ports: { first: number; last: number };
  idleMs: number;
  insecureLanHttp: boolean;
  onChange(userId: string): void;
}

export interface OpenRequest {
  sessionId?: string | undefined;
  remoteHost: string;
  remotePort: number;
  name?: string | undefined;
}

interface OpenForward {
  info: Omit<Forward, 'bytes_in' | 'bytes_out' | 'connections' | 'last_used_at'>;
  server: ForwardServer;
  session: SshSession | null;
  lastUsed: number;
  lastBytes: number;
}

export class ForwardsService {
  private readonly forwards = new Map<string, OpenForward>();
  private readonly access: ForwardAccess;
  private readonly opening = new Map<string, number>();
  private readonly sweeper: NodeJS.Timeout;

  constructor(private readonly options: ForwardsServiceOptions) {
    this.access = new ForwardAccess({ deviceWork: options.deviceWork, onRevoked: (id, key) => this.forwards.get(id)?.server.cut(key) });
    this.sweeper = setInterval(() => this.sweepIdle(), Math.max(250, Math.min(30_000, options.idleMs / 4)));
    this.sweeper.unref();
  }

  async open(userId: string, request: OpenRequest, source: AuditSource): Promise<Forward> {
    const pending = this.opening.get(userId) ?? 0;
    if (this.list(userId).length + pending >= FORWARDS_MAX_PER_USER) {
      throw new AppError('conflict', `At most ${FORWARDS_MAX_PER_USER} forwards per user: stop one first`);
    }
    this.opening.set(userId, pending + 1);
    try {
      return await this.openCounted(userId, request, source);
    } finally {
      const left = (this.opening.get(userId) ?? 1) - 1;
      if (left > 0) this.opening.set(userId, left);
      else this.opening.delete(userId);
    }
  }

  private async openCounted(userId: string, request: OpenRequest, source: AuditSource): Promise<Forward> {
    const { remoteHost, remotePort } = request;
    const route = this.route(userId, request);
    await probeUpstream(route.open, route.session ? 0 : CONTAINER_SETTLE_MS);
    const forwardId = crypto.randomBytes(8).toString('hex');
    const entry: OpenForward = {
      info: {
        forward_id: forwardId,
        user_id: userId,
        name: request.name ?? `${remoteHost}:${remotePort}`,
        via: route.session ? 'ssh' : 'container',
        session_id: route.session?.info.sessionId ?? null,
        remote_host: remoteHost,
        remote_port: remotePort,
        port: 0,
        opened_at: new Date().toISOString(),
      },
      server: new ForwardServer({
        forwardId,
        userId,
        remoteHost,
        remotePort,
        open: route.open,
        access: this.access,
        hostCheck: this.options.hostCheck,
        tls: this.options.tls,
        insecureLanHttp: this.options.insecureLanHttp,
        logger: this.options.logger,
        onUse: () => (entry.lastUsed = Date.now()),
      }),
      session: route.session,
      lastUsed: Date.now(),
      lastBytes: 0,
    };
    entry.info.port = await this.listenOnFreePort(entry.server);
    this.forwards.set(forwardId, entry);
    this.options.audit.record({ event: 'forward.open', userId, source, details: auditDetails(entry) });
    this.options.onChange(userId);
    return this.describe(entry);
  }

  /** Through the named session, else the default or newest one, else the VPN container. */
  private route(userId: string, request: OpenRequest): { open: OpenUpstream; session: SshSession | null } {
    const { remoteHost, remotePort } = request;
    const session = request.sessionId !== undefined ? this.options.sessions.require(userId, request.sessionId) : this.options.sessions.find(userId);
    if (session) return { session, open: () => session.forwardOut(remoteHost, remotePort) };
    const open = async (): Promise<Duplex> => {
      const stream = (await this.options.containers?.openStream(userId, remoteHost, remotePort)) ?? null;
      if (!stream) throw new AppError('not_found', `User '${userId}' has no active SSH session or VPN container: connect one first`);
      return stream;
    };
    return { session: null, open };
  }

  private async listenOnFreePort(server: ForwardServer): Promise<number> {
    const taken = new Set([...this.forwards.values()].map((f) => f.info.port));
    for (let port = this.options.ports.first; port <= this.options.ports.last; port++) {
      if (taken.has(port)) continue;
      try {
        await server.listen(port, this.options.listenHost);
        return port;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw error;
      }
    }
    await server.close();
    throw new AppError('unavailable', `Every forward port (${this.options.ports.first}-${this.options.ports.last}) is in use: stop a forward or widen FORWARD_PORTS`, {
      retryAfterSeconds: 30,
    });
  }

  list(userId: string): Forward[] {
    return [...this.forwards.values()].filter((f) => f.info.user_id === userId).map((f) => this.describe(f));
  }

  users(): string[] {
    return [...new Set([...this.forwards.values()].map((f) => f.info.user_id))];
  }

  /** The caller's forward, or 404 (unknown) / 403 (another user's). */
  get(userId: string, forwardId: string): OpenForward {
    const entry = this.forwards.get(forwardId);
    if (!entry) throw new AppError('not_found', `No forward '${forwardId}'`);
    if (entry.info.user_id !== userId) throw new AppError('forbidden', `Forward '${forwardId}' belongs to another user`);
    return entry;
  }

  /** A one-time link for this browser: `base` is how the caller reached the bridge (scheme and host, no port). */
  link(userId: string, forwardId: string, principal: Principal, base: { secure: boolean; host: string }): { url: string; expires_at: string } {
    const entry = this.get(userId, forwardId);
    const { token, expiresAt } = this.access.createLink({ forwardId, userId, principal });
    const url = `${base.secure ? 'https' : 'http'}://${base.host}:${entry.info.port}${OPEN_PATH}?token=${token}`;
    return { url, expires_at: expiresAt.toISOString() };
  }

  async close(userId: string, forwardId: string, reason: string, source: AuditSource = SYSTEM_SOURCE): Promise<void> {
    await this.closeEntry(this.get(userId, forwardId), reason, source);
  }

  /** Idempotent: an idle sweep, a session drop and a DELETE may race for the same forward. */
  private async closeEntry(entry: OpenForward, reason: string, source: AuditSource = SYSTEM_SOURCE): Promise<void> {
    const { forward_id: forwardId, user_id: userId } = entry.info;
    if (this.forwards.get(forwardId) !== entry) return;
    this.forwards.delete(forwardId);
    this.access.dropForward(forwardId);
    const final = this.describe(entry);
    await entry.server.close();
    this.options.audit.record({
      event: 'forward.close',
      userId,
      source,
      details: { ...auditDetails(entry), reason, bytes_in: final.bytes_in, bytes_out: final.bytes_out },
    });
    this.options.onChange(userId);
  }

  /** A user's sessions changed: forwards whose session is gone close with it. */
  reconcile(userId: string): void {
    for (const entry of [...this.forwards.values()]) {
      if (entry.info.user_id !== userId || !entry.session) continue;
      const current = this.options.sessions.find(userId, entry.session.info.sessionId);
      if (entry.session.active && current === entry.session) continue;
      void this.closeEntry(entry, 'its SSH session closed');
    }
  }

  async closeAll(): Promise<void> {
    clearInterval(this.sweeper);
    await Promise.all([...this.forwards.values()].map((f) => this.closeEntry(f, 'the bridge is stopping')));
  }

  private sweepIdle(): void {
    const now = Date.now();
    for (const entry of [...this.forwards.values()]) {
      // Traffic on an open connection (a WebSocket) counts as use as much as a new request does.
      const stats = entry.server.stats();
      const bytes = stats.bytesIn + stats.bytesOut;
      if (bytes !== entry.lastBytes) {
        entry.lastBytes = bytes;
        entry.lastUsed = now;
      }
      if (now - entry.lastUsed >= this.options.idleMs) void this.closeEntry(entry, 'idle');
    }
  }

  private describe(entry: OpenForward): Forward {
    const stats = entry.server.stats();
    return {
      ...entry.info,
      last_used_at: new Date(entry.lastUsed).toISOString(),
      bytes_in: stats.bytesIn,
      bytes_out: stats.bytesOut,
      connections: stats.connections,
    };
  }
}

function auditDetails(entry: OpenForward) {
  const { forward_id, remote_host, remote_port, port, via, session_id } = entry.info;
  return { forward_id, remote_host, remote_port, port, via, session_id };
}
