// The container runtime seam: the few operations the VPN service needs (create, exec, remove, list, logs).
// Docker (docker-driver.ts) implements it; another runtime can be added without touching the service or routes.
import type { Duplex } from 'node:stream';
import type { ExecResult } from '../core/exec.js';

export interface ContainerSpec {
  name: string;
  image: string;
  labels: Record<string, string>;
  /**
   * An extra network to join ('' = none), e.g. where the VPN server lives (an --internal one in tests);
   * each container also gets a network of its own (docker-isolation.ts).
   */
  network: string;
  memoryBytes: number;
  nanoCpus: number;
  pidsLimit: number;
}

export interface ContainerInfo {
  id: string;
  name: string;
  labels: Record<string, string>;
  running: boolean;
  /** ISO 8601. */
  createdAt: string;
}

/** Users' own work (commands, files, terminals, SSH transport) runs as this account of the image, not root. */
export const CONTAINER_USER = { name: 'vigilink', home: '/home/vigilink' } as const;

export interface ExecRequest {
  argv: readonly string[];
  /** Run as CONTAINER_USER in its home; otherwise root (the bridge's own entry points: vigilink-vpn). */
  asUser?: boolean;
  /** Bridge-side limit; the process itself should carry its own (e.g. coreutils `timeout`). */
  timeoutMs: number;
  outputLimitBytes: number;
  /** Aborting stops waiting (the exec rejects with the reason); killing the process is the caller's part. */
  signal?: AbortSignal | undefined;
}

/** A long-lived exec whose stdin and stdout are one byte stream (socat, openconnect with its password). */
export interface ExecStream {
  /** Writes go to the process's stdin; reads are its stdout. end() closes its stdin. */
  stream: Duplex;
  /** What the process wrote to stderr so far (capped). */
  stderr(): string;
  /** Resolves with the exit code once the process is gone (null if it could not be read). */
  exited: Promise<number | null>;
}

/** A process on a pseudo-terminal (an interactive shell): one raw byte stream, resizable. */
export interface TtyStream {
  stream: Duplex;
  resize(cols: number, rows: number): Promise<void>;
  exited: Promise<number | null>;
}

export interface OpenExecOptions {
  /** As ExecRequest.asUser. */
  asUser?: boolean;
  /** Turns the process's stderr (when it exits without any stdout) into the error the stream is destroyed with. */
  failure?(stderr: string): Error | null;
}

export interface ContainerDriver {
  /** Create and start a container; fails with an AppError that says what to do (image missing, runtime down). */
  create(spec: ContainerSpec): Promise<ContainerInfo>;
  exec(containerId: string, request: ExecRequest): Promise<ExecResult>;
  openExec(containerId: string, argv: readonly string[], options?: OpenExecOptions): Promise<ExecStream>;
  /** Always as CONTAINER_USER: terminals are users' own. */
  openTty(containerId: string, argv: readonly string[], size: { cols: number; rows: number; env: string[] }): Promise<TtyStream>;
  /** Remove (killing it first); a container that is already gone is not an error. */
  remove(containerId: string): Promise<void>;
  list(labels: Record<string, string>): Promise<ContainerInfo[]>;
  /** null when the container does not exist. */
  inspect(containerId: string): Promise<ContainerInfo | null>;
  /** The last lines of the container's own log (stdout and stderr of its main process and what is written there). */
  logs(containerId: string, tailLines: number): Promise<string[]>;
}
