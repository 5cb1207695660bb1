// ContainerDriver over dockerode (the Docker Engine API on its socket; never the docker CLI). This is the
// one place that knows dockerode's error shapes and turns them into AppErrors a person can act on.
import type { Duplex } from 'node:stream';
import Docker from 'dockerode';
import { AppError, errorMessage } from '../core/errors.js';
import type { ExecResult } from '../core/exec.js';
import { CONTAINER_USER, type ContainerDriver, type ContainerInfo, type ContainerSpec, type ExecRequest, type ExecStream, type OpenExecOptions, type TtyStream } from './container-driver.js';
import { CappedBuffer } from '../core/capped-buffer.js';
import { dockerConnection, type DockerEndpoint } from './docker-endpoint.js';
import { blockedAddresses, ensureOwnNetwork, firewallArgv, firewallError, HARDENING, removeOwnNetworks, type IsolationOptions } from './docker-isolation.js';
import { demuxAll, ExecDuplex, FrameDemuxer } from './docker-stream.js';

export const DOCKER_UNAVAILABLE = 'Docker is not available. Ensure Docker daemon is running.';
export const IMAGE_BUILD_COMMAND = 'npm run image';

export const imageMissingMessage = (image: string): string =>
  `Container creation failed: Docker image '${image}' not found. Build it with: ${IMAGE_BUILD_COMMAND}`;

type DockerError = Error & { statusCode?: number; code?: string; json?: { message?: string } | string | null; reason?: string };

const UNREACHABLE_CODES = new Set(['ENOENT', 'ECONNREFUSED', 'EACCES', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND']);

/** dockerode for an endpoint (see docker-endpoint.ts); a warning about an unverified daemon goes to `warn`. */
export function createDocker(endpoint: DockerEndpoint, warn: (message: string) => void = () => undefined): Docker {
  const { options, warning } = dockerConnection(endpoint);
  if (warning) warn(warning);
  return new Docker(options);
}

/** The daemon's own words for a failed call. */
function dockerMessage(error: DockerError): string {
  const json = error.json;
  if (json && typeof json === 'object' && json.message) return json.message;
  if (typeof json === 'string' && json.trim()) return json.trim();
  return error.reason ?? error.message;
}

export function isDockerUnreachable(error: unknown): boolean {
  const e = error as DockerError;
  return e?.statusCode === undefined && e?.code !== undefined && UNREACHABLE_CODES.has(e.code);
}

/** Turn a dockerode error into an AppError; `what` says which operation failed. */
export function dockerError(error: unknown, what: string): AppError {
  if (error instanceof AppError) return error;
  if (isDockerUnreachable(error)) return new AppError('failed', DOCKER_UNAVAILABLE, { cause: error });
  const e = error as DockerError;
  if (e?.statusCode === 404) return new AppError('not_found', `${what}: ${dockerMessage(e)}`, { cause: error });
  if (e?.statusCode === 409) return new AppError('conflict', `${what}: ${dockerMessage(e)}`, { cause: error });
  return new AppError('failed', `${what}: ${e?.statusCode ? dockerMessage(e) : errorMessage(error)}`, { cause: error });
}

/** docker exec options for CONTAINER_USER: its uid by name, and its home as the working directory. */
const USER_EXEC = { User: CONTAINER_USER.name, WorkingDir: CONTAINER_USER.home };

const statusCode = (error: unknown): number | undefined => (error as DockerError)?.statusCode;

export class DockerDriver implements ContainerDriver {
  constructor(
    readonly docker: Docker,
    private readonly isolation: IsolationOptions,
  ) {}

  async create(spec: ContainerSpec): Promise<ContainerInfo> {
    let container: Docker.Container;
    try {
      await ensureOwnNetwork(this.docker, spec, this.isolation.ownNetworkInternal);
      container = await this.docker.createContainer({
        name: spec.name,
        Image: spec.image,
        Labels: spec.labels,
        HostConfig: {
          // openconnect needs a tun device and to configure it; nothing more (not privileged, see docker-isolation.ts).
          ...HARDENING,
          Devices: [{ PathOnHost: '/dev/net/tun', PathInContainer: '/dev/net/tun', CgroupPermissions: 'rwm' }],
          Privileged: false,
          Memory: spec.memoryBytes,
          MemorySwap: spec.memoryBytes,
          NanoCpus: spec.nanoCpus,
          PidsLimit: spec.pidsLimit,
          NetworkMode: spec.name,
          // A real PID 1 reaps the processes every exec leaves behind.
          Init: true,
          LogConfig: { Type: 'json-file', Config: { 'max-size': '1m', 'max-file': '2' } },
        },
      });
    } catch (error) {
      await removeOwnNetworks(this.docker, [spec.name]).catch(() => undefined);
      if (statusCode(error) === 404 && /no such image/i.test(dockerMessage(error as DockerError))) {
        throw new AppError('failed', imageMissingMessage(spec.image), { cause: error });
      }
      const mapped = dockerError(error, 'Container creation failed');
      throw mapped.kind === 'not_found' ? new AppError('failed', mapped.message, { cause: error }) : mapped;
    }
    try {
      if (spec.network) await this.docker.getNetwork(spec.network).connect({ Container: container.id });
      await container.start();
      await this.firewall(container.id);
    } catch (error) {
      await this.remove(container.id).catch(() => undefined);
      // A missing network is the configuration's fault, not a missing resource of the caller's: 500, not 404.
      const mapped = dockerError(error, 'Container start failed');
      throw mapped.kind === 'not_found' ? new AppError('failed', mapped.message, { cause: error }) : mapped;
    }
    const info = await this.inspect(container.id);
    if (!info) throw new AppError('failed', 'Container start failed: the container disappeared right after starting');
    return info;
  }

  /**
   * (Re)set the container's firewall as root: at create, before any user exec can run (a container whose
   * firewall fails is not handed out), and again when the workstation gains addresses (firewall-refresh.ts).
   */
  async firewall(containerId: string): Promise<void> {
    let networks;
    try {
      networks = (await this.docker.getContainer(containerId).inspect()).NetworkSettings.Networks;
    } catch (error) {
      throw dockerError(error, 'Setting the container firewall failed');
    }
    const result = await this.exec(containerId, { argv: firewallArgv(blockedAddresses(this.isolation.workstationAddresses(), networks)), timeoutMs: 15_000, outputLimitBytes: 8192 });
    // Docker reports an exec it could not start (no such program) on the output stream, not stderr.
    const detail = (result.stderr.toString('utf8') || result.stdout.toString('utf8')).trim();
    if (result.exitCode !== 0) throw firewallError(detail || `exit ${result.exitCode}`);
  }

  private async startExec(containerId: string, argv: readonly string[], stdin: boolean, asUser = false): Promise<{ exec: Docker.Exec; socket: Duplex }> {
    try {
      const exec = await this.docker.getContainer(containerId).exec({
        Cmd: [...argv],
        ...(asUser ? USER_EXEC : {}),
        AttachStdin: stdin,
        AttachStdout: true,
        AttachStderr: true,
        Tty: false,
      });
      const socket = (await exec.start({ hijack: true, stdin })) as Duplex;
      return { exec, socket };
    } catch (error) {
      throw dockerError(error, 'Running a command in the container failed');
    }
  }

  /** The exit code once docker has noticed the exit (the stream can close a moment before). */
  private async exitCode(exec: Docker.Exec): Promise<number | null> {
    for (let attempt = 0; attempt < 20; attempt++) {
      const state = await exec.inspect().catch(() => null);
      if (!state) return null;
      if (!state.Running) return state.ExitCode ?? null;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    return null;
  }

  async exec(containerId: string, request: ExecRequest): Promise<ExecResult> {
    const { exec, socket } = await this.startExec(containerId, request.argv, false, request.asUser);
    const stdout = new CappedBuffer(request.outputLimitBytes);
    const stderr = new CappedBuffer(request.outputLimitBytes);
    const demuxer = new FrameDemuxer((stream, payload) => (stream === 'stdout' ? stdout : stderr).push(payload));
    let timedOut = false;
    const { signal } = request;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        timedOut = true;
        socket.destroy();
      }, request.timeoutMs);
      const onAbort = (): void => {
        clearTimeout(timer);
        socket.destroy();
        reject(signal!.reason as Error);
      };
      socket.on('data', (chunk: Buffer) => demuxer.push(chunk));
      socket.on('error', () => undefined);
      socket.on('close', () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        resolve();
      });
      if (signal?.aborted) onAbort();
      else signal?.addEventListener('abort', onAbort, { once: true });
    });
    return {
      stdout: stdout.value(),
      stderr: stderr.value(),
      exitCode: timedOut ? null : await this.exitCode(exec),
      signal: null,
      timedOut,
      truncated: stdout.truncated || stderr.truncated,
    };
  }

  async openExec(containerId: string, argv: readonly string[], options: OpenExecOptions = {}): Promise<ExecStream> {
    const { exec, socket } = await this.startExec(containerId, argv, true, options.asUser);
    const duplex = new ExecDuplex(socket, options.failure ? { failure: options.failure } : {});
    const exited = new Promise<void>((resolve) => socket.once('close', () => resolve())).then(() => this.exitCode(exec));
    return { stream: duplex, stderr: () => duplex.stderr(), exited };
  }

  async openTty(containerId: string, argv: readonly string[], size: { cols: number; rows: number; env: string[] }): Promise<TtyStream> {
    let exec: Docker.Exec;
    let socket: Duplex;
    try {
      exec = await this.docker.getContainer(containerId).exec({
        Cmd: [...argv],
        ...USER_EXEC,
        Env: size.env,
        AttachStdin: true,
        AttachStdout: true,
        AttachStderr: true,
        Tty: true,
        ConsoleSize: [size.rows, size.cols],
      });
      // With a TTY the stream is raw: no frames to take apart.
      socket = (await exec.start({ hijack: true, stdin: true, Tty: true })) as Duplex;
    } catch (error) {
      throw dockerError(error, 'Opening a terminal in the container failed');
    }
    const resize = async (cols: number, rows: number): Promise<void> => {
      await exec.resize({ h: rows, w: cols }).catch((error: unknown) => {
        throw dockerError(error, 'Resizing the terminal failed');
      });
    };
    await resize(size.cols, size.rows).catch(() => undefined);
    const exited = new Promise<void>((resolve) => socket.once('close', () => resolve())).then(() => this.exitCode(exec));
    return { stream: socket, resize, exited };
  }

  async remove(containerId: string): Promise<void> {
    try {
      const container = this.docker.getContainer(containerId);
      const networks = await container.inspect().then(
        (c) => Object.keys(c.NetworkSettings.Networks),
        () => [],
      );
      await container.remove({ force: true, v: true });
      // A network left by a failure here is taken back by this user's next container (same name).
      await removeOwnNetworks(this.docker, networks).catch(() => undefined);
    } catch (error) {
      // Gone already, or being removed by a racing call: either way it will not be there.
      if (statusCode(error) === 404 || (statusCode(error) === 409 && /already in progress/i.test(dockerMessage(error as DockerError)))) return;
      throw dockerError(error, 'Container removal failed');
    }
  }

  async list(labels: Record<string, string>): Promise<ContainerInfo[]> {
    try {
      const found = await this.docker.listContainers({
        all: true,
        filters: { label: Object.entries(labels).map(([key, value]) => `${key}=${value}`) },
      });
      return found.map((c) => ({
        id: c.Id,
        name: (c.Names[0] ?? '').replace(/^\//, ''),
        labels: c.Labels ?? {},
        running: c.State === 'running',
        createdAt: new Date(c.Created * 1000).toISOString(),
      }));
    } catch (error) {
      throw dockerError(error, 'Listing containers failed');
    }
  }

  async inspect(containerId: string): Promise<ContainerInfo | null> {
    try {
      const c = await this.docker.getContainer(containerId).inspect();
      return {
        id: c.Id,
        name: c.Name.replace(/^\//, ''),
        labels: c.Config.Labels ?? {},
        running: c.State.Running,
        createdAt: new Date(c.Created).toISOString(),
      };
    } catch (error) {
      if (statusCode(error) === 404) return null;
      throw dockerError(error, 'Inspecting the container failed');
    }
  }

  async logs(containerId: string, tailLines: number): Promise<string[]> {
    try {
      const raw = (await this.docker.getContainer(containerId).logs({ stdout: true, stderr: true, tail: tailLines, follow: false })) as Buffer;
      return demuxAll(raw).split('\n').filter((line) => line.length > 0);
    } catch (error) {
      throw dockerError(error, 'Reading the container log failed');
    }
  }
}
