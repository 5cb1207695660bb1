// A real bridge for a test: its own data dir, an ephemeral loopback port, and a small HTTP client.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createBridge, type Bridge, type BridgeDeps } from '../../bridge/app.js';
import { loadConfig } from '../../bridge/config/config.js';
import { createLogger } from '../../bridge/core/logger.js';
import { BACKEND_IMAGE } from './docker.js';

export interface TestBridge {
  bridge: Bridge;
  baseUrl: string;
  token: string;
  dataDir: string;
  /** JSON request with the owner token (or `token`); returns status, parsed body and headers. */
  api<T = any>(method: string, route: string, body?: unknown, options?: { token?: string | null; headers?: Record<string, string> }): Promise<ApiResponse<T>>;
  close(): Promise<void>;
}

export interface ApiResponse<T> {
  status: number;
  body: T;
  headers: Headers;
}

export function makeDataDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'vigilink-data-'));
}

export async function startBridge(
  env: Record<string, string> = {},
  dataDir = makeDataDir(),
  deps: Omit<BridgeDeps, 'logger'> = {},
): Promise<TestBridge> {
  // Containers' own networks are --internal in tests: nothing a test starts has a route off this machine.
  const config = loadConfig({ VIGILINK_HOST: '127.0.0.1', VIGILINK_PORT: '0', VIGILINK_DATA_DIR: dataDir, DOCKER_IMAGE: BACKEND_IMAGE, VPN_CONTAINER_NETWORK_INTERNAL: '1', ...env });
  const logFile = path.join(dataDir, 'bridge.log');
  const logger = createLogger({ level: 'debug', destination: fs.createWriteStream(logFile, { flags: 'a' }) });
  const bridge = await createBridge(config, { ...deps, logger });
  const port = await bridge.listen();
  const baseUrl = `http://127.0.0.1:${port}`;
  return {
    bridge,
    baseUrl,
    token: bridge.ownerToken,
    dataDir,
    async api(method, route, body, options = {}) {
      const token = options.token === undefined ? bridge.ownerToken : options.token;
      const headers: Record<string, string> = { ...options.headers };
      if (token) headers.authorization = `Bearer ${token}`;
      if (body !== undefined) headers['content-type'] = 'application/json';
      const response = await fetch(baseUrl + route, {
        method,
        headers,
        ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
      });
      const text = await response.text();
      let parsed: unknown = text;
      try {
        parsed = JSON.parse(text);
      } catch {
        // not JSON: keep the text
      }
      return { status: response.status, body: parsed as never, headers: response.headers };
    },
    close: () => bridge.close(),
  };
}
