// A real OpenSSH sshd on a free loopback port with its own throwaway host key and config.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

export interface SshdOptions {
  /** Only keyboard-interactive (through PAM) for passwords, as many clusters do. */
  keyboardInteractiveOnly?: boolean;
  /** Reuse a port (to restart a server with another host key on the same address). */
  port?: number;
  /** Extra sshd_config lines. */
  extraConfig?: string[];
  /** Environment variables for the sshd process (and so, with PermitUserEnvironment off, nothing else). */
  env?: NodeJS.ProcessEnv;
}

export interface Sshd {
  host: '127.0.0.1';
  port: number;
  dir: string;
  logFile: string;
  hostKeyFingerprint: string;
  /** TCP connections sshd accepted so far (from its VERBOSE log). */
  connectionCount(): number;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export async function startSshd(options: SshdOptions = {}): Promise<Sshd> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigilink-sshd-'));
  const hostKey = path.join(dir, 'ssh_host_ed25519_key');
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', hostKey]);
  const fingerprint = execFileSync('ssh-keygen', ['-l', '-E', 'sha256', '-f', `${hostKey}.pub`]).toString().split(' ')[1]!;
  fs.mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
  const port = options.port ?? (await freePort());
  const logFile = path.join(dir, 'sshd.log');
  const kbdOnly = options.keyboardInteractiveOnly === true;
  const config = [
    `Port ${port}`,
    'ListenAddress 127.0.0.1',
    `HostKey ${hostKey}`,
    `PidFile ${path.join(dir, 'sshd.pid')}`,
    'AuthorizedKeysFile .ssh/authorized_keys',
    `PasswordAuthentication ${kbdOnly ? 'no' : 'yes'}`,
    'KbdInteractiveAuthentication yes',
    `UsePAM ${kbdOnly ? 'yes' : 'no'}`,
    'PermitRootLogin no',
    'AllowUsers vltest',
    'MaxSessions 10',
    'MaxStartups 200:30:400',
    'LogLevel VERBOSE',
    'StrictModes no',
    'AllowTcpForwarding yes',
    'PrintMotd no',
    'Subsystem sftp internal-sftp',
    ...(options.extraConfig ?? []),
  ];
  const configFile = path.join(dir, 'sshd_config');
  fs.writeFileSync(configFile, config.join('\n') + '\n');
  const child: ChildProcess = spawn('/usr/sbin/sshd', ['-D', '-f', configFile, '-E', logFile], {
    stdio: 'ignore',
    env: options.env ?? process.env,
  });
  await waitForBanner(port, child, logFile);
  return {
    host: '127.0.0.1',
    port,
    dir,
    logFile,
    hostKeyFingerprint: fingerprint,
    connectionCount: () => (fs.readFileSync(logFile, 'utf8').match(/Connection from 127\.0\.0\.1 port/g) ?? []).length,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

async function waitForBanner(port: number, child: ChildProcess, logFile: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) {
      throw new Error(`sshd exited with ${child.exitCode}: ${fs.existsSync(logFile) ? fs.readFileSync(logFile, 'utf8') : ''}`);
    }
    const banner = await new Promise<string>((resolve) => {
      const socket = net.connect(port, '127.0.0.1');
      socket.once('data', (data) => {
        socket.destroy();
        resolve(data.toString());
      });
      socket.once('error', () => resolve(''));
    });
    if (banner.startsWith('SSH-2.0')) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('sshd did not start within 10 s');
}
