// PairingService's pairing URLs with stubbed LAN addresses: the primary address when listening on all,
// the bound address otherwise, VIGILINK_PUBLIC_URL over both.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { AuditLog, SYSTEM_SOURCE } from '../../../bridge/audit/audit-log.js';
import { AbortRegistry } from '../../../bridge/core/abort-registry.js';
import { createLogger } from '../../../bridge/core/logger.js';
import { ClaimRateLimiter } from '../../../bridge/pairing/claim-rate-limiter.js';
import { DeviceRegistry } from '../../../bridge/pairing/device-registry.js';
import { PairingOffers } from '../../../bridge/pairing/pairing-offers.js';
import { PairingService } from '../../../bridge/pairing/pairing.service.js';
import { LiveEmitter } from '../../../bridge/transport/socket-server.js';

function service(options: { bindHost: string; publicUrl?: string | null }): PairingService {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigilink-pairing-'));
  const logger = createLogger({ level: 'silent' });
  return new PairingService({
    registry: new DeviceRegistry(dir),
    offers: new PairingOffers({ ttlMs: 120_000 }),
    limiter: new ClaimRateLimiter(10),
    audit: new AuditLog(dir, logger),
    live: new LiveEmitter(),
    deviceWork: new AbortRegistry(),
    logger,
    publicUrl: options.publicUrl ?? null,
    bindHost: options.bindHost,
    addresses: () => [
      { interface: 'wlan0', address: '192.168.1.5' },
      { interface: 'docker0', address: '172.17.0.1' },
    ],
  });
}

const offer = (s: PairingService, address?: string) =>
  s.offer({ userId: 'alice', deviceName: null, address, local: { port: 8000, address: '192.168.1.5' }, source: SYSTEM_SOURCE });

describe('PairingService URLs (stubbed addresses)', () => {
  it('uses the primary LAN address when the bridge listens on all addresses', async () => {
    expect((await offer(service({ bindHost: '0.0.0.0' }))).url).toMatch(/^https:\/\/192\.168\.1\.5:8000\/pair#[A-Za-z0-9_-]{32}$/);
    expect((await offer(service({ bindHost: '0.0.0.0' }), '172.17.0.1')).url).toMatch(/^https:\/\/172\.17\.0\.1:8000\/pair#/);
  });

  it('uses the bound address when there is only one', async () => {
    expect((await offer(service({ bindHost: '10.1.2.3' }))).url).toMatch(/^https:\/\/10\.1\.2\.3:8000\/pair#/);
  });

  it('prefers VIGILINK_PUBLIC_URL', async () => {
    expect((await offer(service({ bindHost: '0.0.0.0', publicUrl: 'https://home.example.net' }))).url).toMatch(/^https:\/\/home\.example\.net\/pair#/);
  });

  it('claims once and hands back a working token', async () => {
    const s = service({ bindHost: '0.0.0.0' });
    const made = await offer(s);
    const claimed = await s.claim(new URL(made.url).hash.slice(1), 'phone', '192.168.1.40');
    expect(claimed).toMatchObject({ user_id: 'alice', device_name: 'phone', token: expect.stringMatching(/^vld_/) });
    expect(s.list('alice').map((d) => d.id)).toEqual([claimed.device_id]);
  });
});
