// Real Docker for the VPN tests: the daemon check, --internal networks (no route off the machine), the
// images (built offline if missing), and cleanup of what a test bridge left.
import path from 'node:path';
import crypto from 'node:crypto';
import type Docker from 'dockerode';
import { LOCAL_DOCKER } from '../../bridge/vpn/docker-endpoint.js';
import { createDocker, DockerDriver } from '../../bridge/vpn/docker-driver.js';
import { contextHash, ensureImage } from '../../bridge/vpn/image-builder.js';
import { instanceId } from '../../bridge/vpn/container-side.js';
import { LABEL_INSTANCE } from '../../bridge/vpn/vpn.service.js';

export const REPO_ROOT = path.resolve(import.meta.dirname, '../..');
const BACKEND_CONTEXT = path.join(REPO_ROOT, 'assets/container');
/**
 * The tests' own tag of the VPN image, one per build context: test runs from checkouts whose container
 * script differs (parallel branches on one Docker) never rebuild each other's image. Bridges started by
 * the test helpers use it (DOCKER_IMAGE).
 */
export const BACKEND_IMAGE = `vigilink-backend:test-${contextHash(BACKEND_CONTEXT)}`;
export const TEST_LABEL = 'vigilink.test';

export const docker: Docker = createDocker(LOCAL_DOCKER);
// The tests' own driver only runs and removes containers; the bridge's creates users' containers.
export const driver = new DockerDriver(docker, { ownNetworkInternal: true, workstationAddresses: () => [] });

/** Fails (never skips) with how to get Docker when the daemon does not answer. */
export async function requireDocker(): Promise<void> {
  try {
    await docker.ping();
  } catch {
    throw new Error('Docker is not running: the VPN tests need it. Install and start it with: apt-get install -y docker.io && dockerd &');
  }
}

/** Builds an image the tests need when it is missing, the offline way (debootstrap, no network in the build). */
export async function ensureTestImage(contextDir: string, tag: string): Promise<void> {
  await ensureImage({
    docker,
    contextDir,
    tag,
    allowNetwork: false,
    log: (line) => process.env.VIGILINK_TEST_VERBOSE && console.log(`[image ${tag}] ${line}`),
  });
}

export const ensureBackendImage = (): Promise<void> => ensureTestImage(BACKEND_CONTEXT, BACKEND_IMAGE);

export interface InternalNetwork {
  name: string;
  remove(): Promise<void>;
}

/** A Docker network created with Internal: true: its containers reach each other and nothing else. */
export async function createInternalNetwork(): Promise<InternalNetwork> {
  const name = `vigilink-test-${crypto.randomBytes(4).toString('hex')}`;
  const network = await docker.createNetwork({ Name: name, Internal: true, CheckDuplicate: true, Labels: { [TEST_LABEL]: '1' } });
  return {
    name,
    remove: async () => {
      const info = (await network.inspect()) as { Containers?: Record<string, unknown> };
      for (const id of Object.keys(info.Containers ?? {})) await driver.remove(id);
      await network.remove();
    },
  };
}

/** The containers a test bridge (by its data folder) has, running or not. */
export const bridgeContainers = (dataDir: string) => driver.list({ [LABEL_INSTANCE]: instanceId(dataDir) });

export async function removeBridgeContainers(dataDir: string): Promise<void> {
  for (const container of await bridgeContainers(dataDir)) await driver.remove(container.id);
}

/** Run argv in a container and give back its stdout (throws on a non-zero exit). */
export async function execIn(containerId: string, argv: string[]): Promise<string> {
  const result = await driver.exec(containerId, { argv, timeoutMs: 30_000, outputLimitBytes: 4 * 1024 * 1024 });
  if (result.exitCode !== 0) throw new Error(`${argv.join(' ')} exited ${result.exitCode}: ${result.stderr.toString('utf8')}`);
  return result.stdout.toString('utf8');
}

/** Run argv in a container with `input` on its stdin (secrets never go in argv); resolves with the exit code. */
export async function execWithStdin(containerId: string, argv: string[], input: string): Promise<number | null> {
  const opened = await driver.openExec(containerId, argv);
  opened.stream.on('error', () => undefined);
  opened.stream.resume();
  opened.stream.end(input);
  return opened.exited;
}
