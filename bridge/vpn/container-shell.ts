// Interactive terminals in a user's VPN container (socket.io term:open with target "container"): a login
// shell on a pseudo-terminal through docker exec, resized with the client's window.
import crypto from 'node:crypto';
import type { ContainerPort } from '../core/container-port.js';
import type { PtySize, ShellHandle } from '../core/shell-handle.js';
import type { ContainerDriver } from './container-driver.js';

// The shell notes its pid first: closing docker's attach stream does not hang up a TTY exec, so closing
// a terminal sends SIGHUP to that pid (as a terminal emulator closing its window would).
const SHELL_SCRIPT = 'echo $$ >"$1"; exec bash -l';
const HANGUP_SCRIPT = 'kill -HUP "$(cat "$1")" 2>/dev/null; rm -f "$1"';

export function containerShells(driver: ContainerDriver, containerFor: (userId: string) => string | null): Pick<ContainerPort, 'openShell'> {
  return {
    async openShell(userId: string, pty: PtySize): Promise<ShellHandle | null> {
      const containerId = containerFor(userId);
      if (!containerId) return null;
      // shells/ belongs to the container's user, as the shell does (the driver runs terminals as that user).
      const pidFile = `/run/vigilink/shells/${crypto.randomBytes(8).toString('hex')}.pid`;
      const tty = await driver.openTty(containerId, ['sh', '-c', SHELL_SCRIPT, 'vigilink-shell', pidFile], {
        cols: pty.cols,
        rows: pty.rows,
        env: [`TERM=${pty.term}`],
      });
      tty.stream.on('error', () => undefined);
      const run = (script: string): Promise<unknown> =>
        driver.exec(containerId, { argv: ['sh', '-c', script, 'vigilink-shell', pidFile], asUser: true, timeoutMs: 5_000, outputLimitBytes: 1024 }).catch(() => undefined);
      let ended = false;
      // Once the shell is gone its pid may be reused: only the file is removed then.
      void tty.exited.then(() => {
        ended = true;
        return run('rm -f "$1"');
      });
      return {
        stream: tty.stream,
        resize: (cols, rows) => void tty.resize(cols, rows).catch(() => undefined),
        close: () => {
          void (ended ? Promise.resolve() : run(HANGUP_SCRIPT)).finally(() => tty.stream.destroy());
        },
        exited: tty.exited.then((code) => ({ code, signal: null })),
      };
    },
  };
}
