// The setup the container tests share: Docker checked, the backend image built, an internal network the
// bridge's containers join, a bridge on it and, for the tests that need SSH too, a real sshd with the
// test account's session 'default' open. One close() takes it all down, containers included.
import { expect } from 'vitest';
import { startBridge, type TestBridge } from './bridge.js';
import { createInternalNetwork, ensureBackendImage, removeBridgeContainers, requireDocker, type InternalNetwork } from './docker.js';
import { connectBody } from './ssh-test-kit.js';
import { startSshd, type Sshd } from './sshd.js';
import type { TestAccount } from './test-account.js';

export interface ContainerStack {
  network: InternalNetwork;
  t: TestBridge;
  /** Stops the bridge, removes its containers and the network (and sshd). */
  close(): Promise<void>;
}

export interface ContainerSshStack extends ContainerStack {
  sshd: Sshd;
}

/** The stack with bridge settings `env` (VIGILINK_DOCKER_NETWORK is the stack's network). */
export async function startContainerStack(env: Record<string, string>): Promise<ContainerStack>;
/** The stack plus sshd, `account` connected as alice's session 'default'. */
export async function startContainerStack(env: Record<string, string>, account: TestAccount): Promise<ContainerSshStack>;
export async function startContainerStack(env: Record<string, string>, account?: TestAccount): Promise<ContainerStack | ContainerSshStack> {
  await requireDocker();
  await ensureBackendImage();
  const parts: { network?: InternalNetwork; t?: TestBridge; sshd?: Sshd } = {};
  const close = async (): Promise<void> => {
    await parts.t?.close();
    if (parts.t) await removeBridgeContainers(parts.t.dataDir);
    await parts.network?.remove();
    await parts.sshd?.stop();
  };
  try {
    const network = (parts.network = await createInternalNetwork());
    if (account) parts.sshd = await startSshd();
    const t = (parts.t = await startBridge({ VIGILINK_DOCKER_NETWORK: network.name, ...env }));
    if (!parts.sshd) return { network, t, close };
    const connected = await t.api('POST', '/ssh/connect?session_id=default', connectBody(parts.sshd, account!));
    expect(connected.status, JSON.stringify(connected.body)).toBe(200);
    return { network, t, sshd: parts.sshd, close };
  } catch (error) {
    await close();
    throw error;
  }
}
