// `npm run image`: builds the per-user VPN container image (DOCKER_IMAGE, default vigilink-backend:latest)
// from assets/container through dockerode, showing progress. Works with or without a container registry.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../config/config.js';
import { createDocker } from './docker-driver.js';
import { buildImage, DEFAULT_DEBIAN_MIRROR } from './image-builder.js';

const CONTEXT_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../assets/container');

async function main(): Promise<void> {
  const config = loadConfig();
  const started = Date.now();
  await buildImage({
    docker: createDocker(config.vpn, (warning) => console.warn(warning)),
    contextDir: CONTEXT_DIR,
    tag: config.vpn.image,
    allowNetwork: true,
    mirror: config.imageBuild.debianMirror ?? DEFAULT_DEBIAN_MIRROR,
    log: (line) => console.log(line),
  });
  console.log(`${config.vpn.image} is ready (${Math.round((Date.now() - started) / 1000)} s)`);
}

main().catch((error: unknown) => {
  console.error(`npm run image failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
