// Builds a Dockerfile's image through dockerode, on a registry base where one answers and otherwise on a
// Debian base made here with debootstrap from Debian's archive and imported as a local image. The same
// Dockerfile serves both (ARG BASE); `npm run image` and the tests (the ocserv test server) use this.
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type Docker from 'dockerode';
import { DOCKER_UNAVAILABLE, isDockerUnreachable } from './docker-driver.js';

export const DEFAULT_DEBIAN_MIRROR = 'http://deb.debian.org/debian';
const SUITE = 'bookworm';
const BASE_REPO = 'vigilink-base/debian-bookworm';
const PULL_TIMEOUT_MS = 120_000;
const LOCK_STALE_MS = 30 * 60_000;
/** Label carrying a hash of the build context, so a changed Dockerfile or script means a rebuild. */
export const CONTEXT_HASH_LABEL = 'vigilink.context-hash';

export interface BuildImageOptions {
  docker: Docker;
  /** Folder with the Dockerfile and every file it COPYs. */
  contextDir: string;
  tag: string;
  /**
   * true (`npm run image`): try the registry base, and let `docker build` reach Debian's archive when it can.
   * false (tests): debootstrap the packages into the base and build with no network at all.
   */
  allowNetwork: boolean;
  mirror?: string;
  /** debootstrap's package cache, shared between bases. */
  cacheDir?: string;
  log(line: string): void;
}

interface Dockerfile {
  registryBase: string;
  packages: string[];
}

/** The defaults of `ARG BASE=` and `ARG PACKAGES="..."`: the Dockerfile is the one list of packages. */
export function readDockerfile(text: string): Dockerfile {
  const base = /^ARG\s+BASE=(\S+)\s*$/m.exec(text)?.[1];
  const packages = /^ARG\s+PACKAGES="([^"]*)"\s*$/m.exec(text)?.[1];
  if (!base || packages === undefined) throw new Error('The Dockerfile must declare ARG BASE=<image> and ARG PACKAGES="<debian packages>"');
  return { registryBase: base, packages: packages.split(/\s+/).filter(Boolean) };
}

export async function imageExists(docker: Docker, ref: string): Promise<boolean> {
  try {
    await docker.getImage(ref).inspect();
    return true;
  } catch (error) {
    if ((error as { statusCode?: number }).statusCode === 404) return false;
    if (isDockerUnreachable(error)) throw new Error(DOCKER_UNAVAILABLE, { cause: error });
    throw error;
  }
}

/** A hash of every file in the build context (names and contents). */
export function contextHash(contextDir: string): string {
  const hash = crypto.createHash('sha256');
  for (const name of fs.readdirSync(contextDir).sort()) {
    hash.update(`${name}\0`).update(fs.readFileSync(path.join(contextDir, name))).update('\0');
  }
  return hash.digest('hex').slice(0, 16);
}

/** Whether `tag` exists and was built from this very context. */
async function upToDate(docker: Docker, tag: string, contextDir: string): Promise<boolean> {
  if (!(await imageExists(docker, tag))) return false;
  const info = await docker.getImage(tag).inspect();
  return info.Config?.Labels?.[CONTEXT_HASH_LABEL] === contextHash(contextDir);
}

/** Build `tag` unless it exists already, built from the current context. */
export async function ensureImage(options: BuildImageOptions): Promise<'present' | 'built'> {
  if (await upToDate(options.docker, options.tag, options.contextDir)) return 'present';
  return withBuildLock(options.log, async () => {
    if (await upToDate(options.docker, options.tag, options.contextDir)) return 'present';
    await buildImageUnlocked(options);
    return 'built';
  });
}

export async function buildImage(options: BuildImageOptions): Promise<void> {
  await withBuildLock(options.log, () => buildImageUnlocked(options));
}

async function buildImageUnlocked(options: BuildImageOptions): Promise<void> {
  const { docker, log } = options;
  await docker.ping().catch((error: unknown) => {
    throw isDockerUnreachable(error) ? new Error(DOCKER_UNAVAILABLE, { cause: error }) : error;
  });
  const dockerfile = readDockerfile(fs.readFileSync(path.join(options.contextDir, 'Dockerfile'), 'utf8'));
  const { base, offline } = await chooseBase(options, dockerfile);
  log(`building ${options.tag} on ${base}${offline ? ' (no network during the build)' : ''}`);
  const context = { context: options.contextDir, src: fs.readdirSync(options.contextDir) };
  const stream = await docker.buildImage(context, {
    t: options.tag,
    buildargs: { BASE: base },
    labels: { [CONTEXT_HASH_LABEL]: contextHash(options.contextDir) },
    rm: true,
    forcerm: true,
    ...(offline ? { networkmode: 'none' } : {}),
  });
  await followProgress(docker, stream, log);
  log(`built ${options.tag}`);
}

async function chooseBase(options: BuildImageOptions, dockerfile: Dockerfile): Promise<{ base: string; offline: boolean }> {
  const { docker, log } = options;
  if (options.allowNetwork) {
    if (await imageExists(docker, dockerfile.registryBase)) return { base: dockerfile.registryBase, offline: false };
    log(`pulling ${dockerfile.registryBase}`);
    try {
      await withTimeout(docker.pull(dockerfile.registryBase).then((s) => followProgress(docker, s, log)), PULL_TIMEOUT_MS, 'pull');
      return { base: dockerfile.registryBase, offline: false };
    } catch (error) {
      log(`no registry (${(error as Error).message.split('\n')[0]}): making a Debian ${SUITE} base with debootstrap instead`);
    }
    const minbase = await ensureDebootstrapBase(options, []);
    if (await archiveReachable(docker, minbase, log)) return { base: minbase, offline: false };
    log("containers cannot reach Debian's archive: putting the packages into the debootstrap base instead");
  }
  return { base: await ensureDebootstrapBase(options, dockerfile.packages), offline: true };
}

/** A local base image from debootstrap (minbase, plus `packages`); made once and kept by its tag. */
async function ensureDebootstrapBase(options: BuildImageOptions, packages: string[]): Promise<string> {
  const { docker, log } = options;
  const sorted = [...packages].sort();
  const tag = sorted.length ? `with-${crypto.createHash('sha256').update(sorted.join(' ')).digest('hex').slice(0, 12)}` : 'minbase';
  const ref = `${BASE_REPO}:${tag}`;
  if (await imageExists(docker, ref)) {
    log(`using the cached base ${ref}`);
    return ref;
  }
  if (process.getuid?.() !== 0) throw new Error('Making the Debian base with debootstrap needs root (run npm run image as root, or with sudo)');
  const rootfs = fs.mkdtempSync(path.join(os.tmpdir(), 'vigilink-rootfs-'));
  // mkdtemp makes it 0700: as the chroot's "/" that stops a maintainer script running as a system user
  // (munge's postinst: `su munge -c mungekey` fails with "/bin/sh: Permission denied").
  fs.chmodSync(rootfs, 0o755);
  const cacheDir = options.cacheDir ?? '/var/cache/vigilink/debootstrap';
  fs.mkdirSync(cacheDir, { recursive: true });
  try {
    const args = ['--variant=minbase', `--cache-dir=${cacheDir}`, ...(sorted.length ? [`--include=${sorted.join(',')}`] : [])];
    log(`debootstrap ${args.join(' ')} ${SUITE} (from ${options.mirror ?? DEFAULT_DEBIAN_MIRROR})`);
    await runTool('debootstrap', [...args, SUITE, rootfs, options.mirror ?? DEFAULT_DEBIAN_MIRROR], log, 'apt-get install -y debootstrap');
    for (const dir of ['var/cache/apt/archives', 'var/lib/apt/lists']) {
      for (const entry of fs.readdirSync(path.join(rootfs, dir))) {
        if (entry.endsWith('.deb') || dir.endsWith('lists')) fs.rmSync(path.join(rootfs, dir, entry), { recursive: true, force: true });
      }
    }
    log(`importing ${ref}`);
    const tar = spawn('tar', ['--numeric-owner', '--xattrs', '-C', rootfs, '-c', '.'], { stdio: ['ignore', 'pipe', 'pipe'] });
    const tarFailed = new Promise<never>((_resolve, reject) => {
      tar.once('error', reject);
      tar.once('exit', (code) => code !== 0 && reject(new Error(`tar of the debootstrap tree failed (exit ${code})`)));
    });
    const [repo, imageTag] = [BASE_REPO, tag];
    const progress = await Promise.race([docker.importImage(tar.stdout, { repo, tag: imageTag }), tarFailed]);
    await Promise.race([followProgress(docker, progress, log), tarFailed]);
    return ref;
  } finally {
    fs.rmSync(rootfs, { recursive: true, force: true });
  }
}

/** Whether a container on Docker's default network gets Debian's package lists (what a build's RUN apt-get needs). */
async function archiveReachable(docker: Docker, image: string, log: (line: string) => void): Promise<boolean> {
  log("checking whether containers reach Debian's archive");
  const container = await docker.createContainer({ Image: image, Cmd: ['timeout', '30', 'apt-get', 'update', '-qq'], HostConfig: { NetworkMode: 'bridge' } });
  try {
    await container.start();
    const result = (await container.wait()) as { StatusCode: number };
    return result.StatusCode === 0;
  } finally {
    await container.remove({ force: true }).catch(() => undefined);
  }
}

/** Print a build/pull/import progress stream; fail on the first error the daemon reports in it. */
function followProgress(docker: Docker, stream: NodeJS.ReadableStream, log: (line: string) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    let failure: string | null = null;
    docker.modem.followProgress(
      stream,
      (error: Error | null) => (error ? reject(error) : failure ? reject(new Error(failure)) : resolve()),
      (event: { stream?: string; status?: string; progress?: string; id?: string; error?: string; errorDetail?: { message?: string } }) => {
        if (event.error) failure ??= event.errorDetail?.message ?? event.error;
        const text = event.stream ?? (event.status ? `${event.id ? `${event.id}: ` : ''}${event.status}${event.progress ? ` ${event.progress}` : ''}` : '');
        for (const line of text.split('\n')) if (line.trim()) log(line.trimEnd());
      },
    );
  });
}

function runTool(command: string, args: string[], log: (line: string) => void, install: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const tail: string[] = [];
    const onLine = (chunk: Buffer): void => {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (!line.trim()) continue;
        log(line);
        tail.push(line);
        if (tail.length > 20) tail.shift();
      }
    };
    child.stdout.on('data', onLine);
    child.stderr.on('data', onLine);
    child.once('error', (error: NodeJS.ErrnoException) =>
      reject(error.code === 'ENOENT' ? new Error(`${command} is not installed. Install it with: ${install}`) : error),
    );
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${command} failed (exit ${code}):\n${tail.join('\n')}`))));
  });
}

function withTimeout<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    work.finally(() => clearTimeout(timer)),
    new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => reject(new Error(`${what} took over ${ms / 1000} s`)), ms);
    }),
  ]);
}

/** One image build at a time on this machine (parallel test files, a CLI run beside the tests). */
async function withBuildLock<T>(log: (line: string) => void, work: () => Promise<T>): Promise<T> {
  const lock = path.join(os.tmpdir(), 'vigilink-image-build.lock');
  let told = false;
  for (;;) {
    try {
      fs.mkdirSync(lock);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const age = Date.now() - (fs.statSync(lock, { throwIfNoEntry: false })?.mtimeMs ?? Date.now());
      if (age > LOCK_STALE_MS) fs.rmSync(lock, { recursive: true, force: true });
      if (!told) log('another image build is running here: waiting for it');
      told = true;
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  }
  try {
    return await work();
  } finally {
    fs.rmSync(lock, { recursive: true, force: true });
  }
}
