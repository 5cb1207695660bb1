// Changing files in a user's container through docker exec: constant scripts with the caller's paths as
// argv ("$1", "$2"), never spliced into shell text. Uploads stream into dd's stdin at an offset.
import type { Readable } from 'node:stream';
import { AppError } from '../core/errors.js';
import { fileTypeOf, type FileChanges, type PathStat } from '../core/file-system.js';
import type { ContainerDriver } from './container-driver.js';
import type { ContainerExecSlots } from './container-exec-slots.js';
import { argvPath, EXIT_DENIED, EXIT_EXISTS, EXIT_FOLDER, EXIT_MISSING, runFsScript } from './container-files.js';
import { TYPE_BITS } from './find-listing.parser.js';

const STAT_LIMIT = 64 * 1024;
const WRITE_BLOCK_BYTES = 256 * 1024;

// SECURITY: constant scripts; paths only ever arrive as "$1"/"$2", flags as "0"/"1" we write ourselves.
const EXISTS = (v: string): string => `{ [ -e "${v}" ] || [ -L "${v}" ]; }`;
const WRITABLE_PARENT = (v: string): string => `p=$(dirname -- "${v}"); [ -d "$p" ] || exit ${EXIT_MISSING}; [ -w "$p" ] || exit ${EXIT_DENIED}`;
/** The tail every changing script ends with: the path's absolute form, then its type, size and mtime. */
const STAT_OF = (v: string): string => `realpath -m -s -- "${v}"; exec find "${v}" -maxdepth 0 -printf '%y\\0%s\\0%T@\\0'`;

const STAT_SCRIPT = `${EXISTS('$1')} || exit ${EXIT_MISSING}; ${STAT_OF('$1')}`;
const MKDIR_SCRIPT = `${EXISTS('$1')} && exit ${EXIT_EXISTS}; ${WRITABLE_PARENT('$1')}; mkdir -- "$1" || exit 1; ${STAT_OF('$1')}`;
const RENAME_SCRIPT = `${EXISTS('$1')} || exit ${EXIT_MISSING}; ${EXISTS('$2')} && exit ${EXIT_EXISTS}
[ -w "$(dirname -- "$1")" ] || exit ${EXIT_DENIED}; ${WRITABLE_PARENT('$2')}
mv -n -T -- "$1" "$2" || exit 1; ${EXISTS('$1')} && exit ${EXIT_EXISTS}; ${STAT_OF('$2')}`;
const REMOVE_SCRIPT = `${EXISTS('$1')} || exit ${EXIT_MISSING}
if [ -d "$1" ] && [ ! -L "$1" ] && [ "$2" != 1 ]; then exit ${EXIT_FOLDER}; fi
[ -w "$(dirname -- "$1")" ] || exit ${EXIT_DENIED}; realpath -m -s -- "$1"; rm -rf -- "$1" || exit 1`;
// Offset 0 starts the file afresh; otherwise dd writes on at the offset without truncating.
const WRITE_SCRIPT = `${WRITABLE_PARENT('$1')}; if [ "$2" = 0 ]; then : > "$1" || exit ${EXIT_DENIED}; fi
exec dd of="$1" bs=${WRITE_BLOCK_BYTES} seek="$2" oflag=seek_bytes conv=notrunc status=none`;
// Without replace, mv -n never overwrites: a temp file still there afterwards means the name was taken.
const COMMIT_SCRIPT = `if ${EXISTS('$2')}; then
  [ "$3" = 1 ] || exit ${EXIT_EXISTS}; [ -d "$2" ] && [ ! -L "$2" ] && exit ${EXIT_FOLDER}; chmod --reference="$2" -- "$1" 2>/dev/null
  mv -f -T -- "$1" "$2" || exit 1
else
  mv -n -T -- "$1" "$2" || exit 1; ${EXISTS('$1')} && exit ${EXIT_EXISTS}
fi; ${STAT_OF('$2')}`;

/** realpath line, then find's '%y\0%s\0%T@\0' -> a PathStat. */
export function parseStatOutput(out: Buffer): PathStat {
  const newline = out.indexOf(0x0a);
  const [type = '', size = '0', mtime = '0'] = out.subarray(newline + 1).toString('utf8').split('\0');
  return { path: out.subarray(0, newline).toString('utf8'), size: Number(size), mtime: Math.floor(Number(mtime)), type: fileTypeOf(TYPE_BITS[type] ?? 0) };
}

/** Every change holds one of the user's exec slots while its exec runs, as reads do (container-files.ts). */
export class ContainerFileChanges implements FileChanges {
  constructor(
    private readonly driver: ContainerDriver,
    private readonly containerId: string,
    private readonly slots: ContainerExecSlots,
  ) {}

  private async run(script: string, paths: string[], extra: string[] = []): Promise<Buffer> {
    const release = await this.slots.acquire(this.containerId);
    try {
      return await runFsScript(this.driver, this.containerId, { script, args: [...paths.map(argvPath), ...extra], requested: paths.at(-1)!, limit: STAT_LIMIT });
    } finally {
      release();
    }
  }

  async stat(target: string): Promise<PathStat | null> {
    try {
      return parseStatOutput(await this.run(STAT_SCRIPT, [target]));
    } catch (error) {
      if (error instanceof AppError && error.kind === 'not_found') return null;
      throw error;
    }
  }

  async mkdir(target: string): Promise<PathStat> {
    return parseStatOutput(await this.run(MKDIR_SCRIPT, [target]));
  }

  async rename(from: string, to: string): Promise<PathStat> {
    return parseStatOutput(await this.run(RENAME_SCRIPT, [from, to]));
  }

  async remove(target: string, recursive: boolean): Promise<string> {
    return (await this.run(REMOVE_SCRIPT, [target], [recursive ? '1' : '0'])).toString('utf8').trim();
  }

  async commit(temp: string, to: string, replace: boolean): Promise<PathStat> {
    return parseStatOutput(await this.run(COMMIT_SCRIPT, [temp, to], [replace ? '1' : '0']));
  }

  /** Streams the body into dd's stdin; a cut-off body just ends dd's input, keeping what arrived. */
  async writeAt(target: string, offset: number, body: Readable): Promise<number> {
    // The slot is held until dd exits, then freed before the stat below takes its own.
    const release = await this.slots.acquire(this.containerId);
    let code: number | null;
    let stderr: string;
    try {
      ({ code, stderr } = await this.streamInto(target, offset, body));
    } finally {
      release();
    }
    if (code === EXIT_MISSING) throw new AppError('not_found', `No such folder for ${target}`);
    if (code === EXIT_DENIED) throw new AppError('forbidden', `Permission denied: ${target}`);
    if (code !== 0) throw new AppError('upstream_failed', `Writing ${target} in the container failed: ${stderr.trim() || `exit ${code}`}`);
    return (await this.stat(target))?.size ?? 0;
  }

  private async streamInto(target: string, offset: number, body: Readable): Promise<{ code: number | null; stderr: string }> {
    const exec = await this.driver.openExec(this.containerId, ['sh', '-c', WRITE_SCRIPT, 'vigilink-fs', argvPath(target), String(offset)], { asUser: true });
    exec.stream.resume();
    exec.stream.on('error', () => undefined);
    const stop = (): void => {
      body.unpipe(exec.stream);
      if (!exec.stream.writableEnded) exec.stream.end();
    };
    body.once('error', stop);
    body.once('close', stop);
    body.pipe(exec.stream);
    const code = await exec.exited;
    return { code, stderr: exec.stderr() };
  }
}
