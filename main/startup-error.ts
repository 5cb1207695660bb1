// The words of the error box when the desktop app cannot start (the bridge's port taken, a bad setting).
import { ConfigError } from '../bridge/config/config.js';

export function startupFailureMessage(error: unknown, port: number): string {
  if (error instanceof ConfigError) return `${error.message}\n\nFix the variable (see the README's Configuration) and start Vigilink again.`;
  const code = (error as NodeJS.ErrnoException | null)?.code;
  if (code === 'EADDRINUSE') {
    return `Port ${port} is in use: another program (or a Vigilink started with npm run serve) holds it.\n\nStop it, or start Vigilink with another port: VIGILINK_PORT=<port>.`;
  }
  if (code === 'EACCES') return `Vigilink may not listen on port ${port}. Start it with a port above 1024: VIGILINK_PORT=<port>.`;
  return error instanceof Error ? error.message : String(error);
}
