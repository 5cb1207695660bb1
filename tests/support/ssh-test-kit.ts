// Shared pieces of the SSH, command, file and server integration tests: request bodies for the test
// account, the sshd processes serving one connection, a TCP server that never speaks, the bridge's log.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import type { TestAccount } from './test-account.js';
import type { Sshd } from './sshd.js';
import type { TestBridge } from './bridge.js';

export function connectBody(sshd: Sshd, account: TestAccount, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { user_id: 'alice', hostname: '127.0.0.1', port: sshd.port, username: account.username, password: account.password, ...extra };
}

/** Every process below the sshd listener: the monitor and user processes of its open connections. */
export function connectionProcesses(sshd: Sshd): number[] {
  const listener = Number(fs.readFileSync(path.join(sshd.dir, 'sshd.pid'), 'utf8').trim());
  const below: number[] = [];
  const walk = (pid: number): void => {
    let children: number[] = [];
    try {
      children = execFileSync('pgrep', ['-P', String(pid)]).toString().split('\n').filter(Boolean).map(Number);
    } catch {
      // pgrep exits 1 when there are none
    }
    for (const child of children) {
      below.push(child);
      walk(child);
    }
  };
  walk(listener);
  return below;
}

/** Whether a process below the sshd listener runs `command` (its command line ends with it: a shell may run it). */
export function runsCommand(sshd: Sshd, command: string): boolean {
  return connectionProcesses(sshd).some((pid) => {
    try {
      return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim().endsWith(command);
    } catch {
      return false;
    }
  });
}

export function signalAll(pids: number[], signal: NodeJS.Signals): void {
  for (const pid of pids) {
    try {
      process.kill(pid, signal);
    } catch {
      // already gone
    }
  }
}

/** A TCP server that accepts and never says a word (an SSH server stuck before its banner). */
export async function silentTcpServer(): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** The bridge's JSON log lines so far (startBridge writes them to bridge.log in the data dir). */
export function logLines(t: TestBridge): Array<Record<string, unknown>> {
  const file = path.join(t.dataDir, 'bridge.log');
  if (!fs.existsSync(file)) return [];
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

/** Every file under a folder, recursively. */
export function filesUnder(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true, recursive: true }).filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name));
}
