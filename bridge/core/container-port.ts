// The port through which shared services reach a user's VPN container: the VPN plug-in implements it, the
// composition root (app.ts) passes it to their constructors, null where the bridge runs no containers.
import type { Duplex } from 'node:stream';
import type { ExecOptions, ExecResult } from './exec.js';
import type { FileChanges, FileSystemTarget } from './file-system.js';
import type { PtySize, ShellHandle } from './shell-handle.js';

/** One side's file system: reading it and changing it. */
export interface FilesSide {
  files: FileSystemTarget;
  changes: FileChanges;
}

export interface ContainerPort {
  /** The user's running container, where commands and files go when no session is named (null: none). */
  containerFor(userId: string): string | null;
  /** Runs one command in a container (bounded per container: it may wait for a slot). */
  exec(containerId: string, command: string, options: ExecOptions): Promise<ExecResult>;
  /** The user's container file system (null: no container). */
  files(userId: string): FilesSide | null;
  /** A login shell on a pty in the user's container (null: no container). */
  openShell(userId: string, pty: PtySize): Promise<ShellHandle | null>;
  /** A byte stream to host:port leaving from the user's VPN tunnel (null: no tunnel up, connect directly). */
  openStream(userId: string, host: string, port: number): Promise<Duplex | null>;
}
