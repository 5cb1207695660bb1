// VpnService with a stubbed container driver (the Docker boundary): cooldown, names, adoption bookkeeping.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../bridge/config/config.js';
import { AppError } from '../../../bridge/core/errors.js';
import { createLogger } from '../../../bridge/core/logger.js';
import { ConnsStore } from '../../../bridge/store/conns-store.js';
import type { ContainerDriver, ContainerInfo, ContainerSpec } from '../../../bridge/vpn/container-driver.js';
import { VpnPrompts } from '../../../bridge/vpn/vpn-prompts.js';
import { VpnService } from '../../../bridge/vpn/vpn.service.js';

class StubDriver implements ContainerDriver {
  containers = new Map<string, ContainerInfo>();
  private next = 0;
  async create(spec: ContainerSpec): Promise<ContainerInfo> {
    const info = { id: `c${this.next++}`, name: spec.name, labels: spec.labels, running: true, createdAt: new Date().toISOString() };
    this.containers.set(info.id, info);
    return info;
  }
  async exec() {
    return { stdout: Buffer.from('pid=\nip=\nserver=\n'), stderr: Buffer.alloc(0), exitCode: 0, signal: null, timedOut: false, truncated: false };
  }
  async openExec(): Promise<never> {
    throw new Error('not used');
  }
  async openTty(): Promise<never> {
    throw new Error('not used');
  }
  async remove(id: string): Promise<void> {
    this.containers.delete(id);
  }
  async list(labels: Record<string, string>): Promise<ContainerInfo[]> {
    return [...this.containers.values()].filter((c) => Object.entries(labels).every(([k, v]) => c.labels[k] === v));
  }
  async inspect(id: string): Promise<ContainerInfo | null> {
    return this.containers.get(id) ?? null;
  }
  async logs(): Promise<string[]> {
    return [];
  }
}

async function makeService(env: Record<string, string> = {}, driver = new StubDriver(), dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigilink-vpn-unit-'))) {
  const store = new ConnsStore(dataDir);
  await store.load();
  const closed: string[] = [];
  const service = new VpnService({
    driver,
    store,
    logger: createLogger({ level: 'silent' }),
    config: loadConfig({ VIGILINK_DATA_DIR: dataDir, ...env }).vpn,
    instance: 'abcd1234',
    prompts: new VpnPrompts(60_000),
    closeSessions: (userId) => closed.push(userId),
  });
  return { service, driver, store, closed, dataDir };
}

const plain = (userId: string) => ({ userId, real: false, tunnel: null, password: '', autoReconnect: false });

describe('VpnService with a stubbed container driver', () => {
  it('rate-limits a user, not others, and says when to retry', async () => {
    const { service } = await makeService({ VPN_COOLDOWN_SECONDS: '10' });
    await service.connect(plain('alice'));
    const error = await service.connect(plain('alice')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).kind).toBe('rate_limited');
    expect((error as AppError).retryAfterSeconds).toBeGreaterThanOrEqual(9);
    await expect(service.connect(plain('bob'))).resolves.toMatchObject({ containerId: expect.any(String) });
  });

  it('names containers per user and bridge within Docker name rules', async () => {
    const { service } = await makeService();
    expect(service.containerName('alice')).toBe('vigilink-alice-abcd1234');
    expect(service.containerName('al@ice')).toMatch(/^vigilink-al_ice-[0-9a-f]{6}-abcd1234$/);
    expect(service.containerName('al@ice')).not.toBe(service.containerName('al_ice'));
  });

  it('refuses real=true without a server', async () => {
    const { service } = await makeService();
    await expect(service.connect({ ...plain('alice'), real: true })).rejects.toMatchObject({ kind: 'invalid' });
  });

  it('adopts running containers, removes stopped ones and forgets stored ones that are gone', async () => {
    const first = await makeService({ VPN_COOLDOWN_SECONDS: '0' });
    await first.service.connect(plain('alice'));
    await first.service.connect(plain('bob'));
    await first.service.connect(plain('carol'));
    const bobId = first.service.containerFor('bob')!;
    const carolId = first.service.containerFor('carol')!;
    expect(first.service.containerCount()).toBe(3);
    first.driver.containers.delete(bobId);
    first.driver.containers.set(carolId, { ...first.driver.containers.get(carolId)!, running: false });
    await first.store.flush();

    const second = await makeService({}, first.driver, first.dataDir);
    await second.service.adopt();
    expect(second.service.users()).toEqual(['alice']);
    expect(second.service.containerCount()).toBe(1);
    expect(second.store.user('bob')).toBeUndefined();
    expect(second.store.user('carol')).toBeUndefined();
    expect(first.driver.containers.has(carolId)).toBe(false);
    expect(second.service.snapshot('alice')).toMatchObject({ state: 'none', container_id: first.service.containerFor('alice') });
  });
});
