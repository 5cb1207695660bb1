// Test clients for the live channel: pair a device over HTTP, open a real socket.io-client socket, wait
// for events and acks with timeouts (a missing event fails the test instead of hanging it).
import fs from 'node:fs';
import path from 'node:path';
import { io, type Socket } from 'socket.io-client';
import type { AckResult, ClientToServerEvents, ServerToClientEvents, SocketAuth } from '../../bridge/contracts/socket.js';
import type { TestBridge } from './bridge.js';

export type ClientSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

export interface PairedDevice {
  token: string;
  deviceId: string;
  userId: string;
}

/** A full pairing over HTTP: an owner's offer, then a claim with the URL's secret. */
export async function pairDevice(t: TestBridge, userId: string, name = 'test phone'): Promise<PairedDevice> {
  const offer = await t.api('POST', '/api/pair/offer', { user_id: userId });
  if (offer.status !== 200) throw new Error(`offer failed: ${offer.status} ${JSON.stringify(offer.body)}`);
  const secret = new URL(offer.body.url).hash.slice(1);
  const claim = await t.api('POST', '/api/pair/claim', { secret, device_name: name }, { token: null });
  if (claim.status !== 200) throw new Error(`claim failed: ${claim.status} ${JSON.stringify(claim.body)}`);
  return { token: claim.body.token, deviceId: claim.body.device_id, userId };
}

/**
 * A connected socket (websocket transport, no automatic reconnection), or the connect error. `setup`
 * adds listeners before connecting: the `state` sent on connect can arrive in the same read as the
 * connect itself.
 */
export function connectSocket(
  baseUrl: string,
  auth: SocketAuth,
  setup: (socket: ClientSocket) => void = () => undefined,
  timeoutMs = 5000,
  extraHeaders?: Record<string, string>,
): Promise<ClientSocket> {
  const socket: ClientSocket = io(baseUrl, { auth, transports: ['websocket'], reconnection: false, forceNew: true, autoConnect: false, ...(extraHeaders ? { extraHeaders } : {}) });
  setup(socket);
  socket.connect();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.close();
      reject(new Error('socket did not connect in time'));
    }, timeoutMs);
    socket.once('connect', () => {
      clearTimeout(timer);
      resolve(socket);
    });
    socket.once('connect_error', (error) => {
      clearTimeout(timer);
      socket.close();
      reject(error);
    });
  });
}

/** Resolves with the first `event` whose arguments satisfy `match`. */
export function waitForEvent<E extends keyof ServerToClientEvents>(
  socket: ClientSocket,
  event: E,
  match: (...args: Parameters<ServerToClientEvents[E]>) => boolean = () => true,
  timeoutMs = 5000,
): Promise<Parameters<ServerToClientEvents[E]>> {
  return new Promise((resolve, reject) => {
    const listener = ((...args: Parameters<ServerToClientEvents[E]>) => {
      if (!match(...args)) return;
      clearTimeout(timer);
      socket.off(event, listener as never);
      resolve(args);
    }) as never;
    const timer = setTimeout(() => {
      socket.off(event, listener);
      reject(new Error(`no matching '${String(event)}' within ${timeoutMs} ms`));
    }, timeoutMs);
    socket.on(event, listener);
  });
}

/** Emit a client event and resolve with its ack. */
export function request<T = any>(socket: ClientSocket, event: keyof ClientToServerEvents, payload: unknown, timeoutMs = 15_000): Promise<AckResult<T>> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ack for '${event}' within ${timeoutMs} ms`)), timeoutMs);
    (socket.emit as (e: string, p: unknown, ack: (r: AckResult<T>) => void) => void)(event, payload, (result) => {
      clearTimeout(timer);
      resolve(result);
    });
  });
}

/** Resolves when the socket is disconnected, with the reason. */
export function waitForDisconnect(socket: ClientSocket, timeoutMs = 5000): Promise<string> {
  return new Promise((resolve, reject) => {
    if (socket.disconnected) return resolve('already disconnected');
    const timer = setTimeout(() => reject(new Error(`socket still connected after ${timeoutMs} ms`)), timeoutMs);
    socket.once('disconnect', (reason) => {
      clearTimeout(timer);
      resolve(reason);
    });
  });
}

/**
 * Kill an sshd started by startSshd and every process under it (the per-connection children keep
 * established sessions alive otherwise), so its SSH connections drop the way a dead server's do.
 */
export function killSshdTree(sshdDir: string): void {
  const master = Number(fs.readFileSync(path.join(sshdDir, 'sshd.pid'), 'utf8').trim());
  const children = new Map<number, number[]>();
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // The parent pid is the 2nd field after the parenthesised command name.
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
    } catch {
      // The process ended while we looked.
    }
  }
  const tree: number[] = [];
  const walk = (pid: number): void => {
    tree.push(pid);
    for (const child of children.get(pid) ?? []) walk(child);
  };
  walk(master);
  for (const pid of tree) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
}
