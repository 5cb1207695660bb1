// The desktop app's own settings from the environment (the bridge's are in bridge/config): with
// bridge/config, the only code in main/ that reads process.env.
import { z } from 'zod';
import { loadConfig } from '../../bridge/config/config.js';

/** The variables the desktop app reads, as the programs that set them write them; unset and '' are the same. */
const desktopEnvSchema = z.object({
  // Set by the AppImage runtime: the AppImage file itself (the app runs from a temporary mount).
  APPIMAGE: z.string().optional(),
  // Where autostart entries go (XDG base directories); only an absolute path counts.
  XDG_CONFIG_HOME: z.string().optional(),
  // electron's own variable: an Electron binary elsewhere than node_modules/electron (npm start checks it).
  ELECTRON_OVERRIDE_DIST_PATH: z.string().optional(),
});

export type DesktopEnv = Readonly<z.output<typeof desktopEnvSchema>>;

export function loadDesktopEnv(env: Record<string, string | undefined> = process.env): DesktopEnv {
  return Object.freeze(desktopEnvSchema.parse(env));
}

/** The port the bridge was set to listen on, for the error box; the default when the configuration itself is bad. */
export function configuredPort(env: Record<string, string | undefined> = process.env): number {
  try {
    return loadConfig(env).port;
  } catch {
    return loadConfig({}).port;
  }
}
