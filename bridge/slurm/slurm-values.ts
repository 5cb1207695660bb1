// Slurm's small value formats, read the same way by every parser: hostlists, GPU index lists, durations,
// times, output-path patterns, and which states end a job.

/** node[1-3,7],gpu01 -> node1 node2 node3 node7 gpu01 (one bracket group per name, as Slurm prints them). */
export function expandHostlist(list: string): string[] {
  const names: string[] = [];
  for (const part of list.match(/[^,[]+(\[[^\]]*\])?[^,]*/g) ?? []) {
    const group = /^(.*)\[([^\]]*)\](.*)$/.exec(part);
    if (!group) {
      if (part) names.push(part);
      continue;
    }
    const [, prefix, ranges, suffix] = group as unknown as [string, string, string, string];
    for (const range of ranges.split(',')) {
      const [from, to = from] = range.split('-') as [string, string?];
      const width = from.length;
      for (let n = Number(from); n <= Number(to); n++) names.push(`${prefix}${String(n).padStart(width, '0')}${suffix}`);
    }
  }
  return names;
}

/** "0-1,3" -> [0, 1, 3]. */
export function parseIndexList(text: string): number[] {
  const indices: number[] = [];
  for (const range of text.split(',')) {
    const match = /^(\d+)(?:-(\d+))?$/.exec(range.trim());
    if (!match) continue;
    for (let n = Number(match[1]); n <= Number(match[2] ?? match[1]); n++) indices.push(n);
  }
  return indices;
}

/** A GRES string: "gpu:2(IDX:2-3)", "gpu:tesla:1(IDX:0)", "gres/gpu=2", "gres:gpu:2", "gpu:2" -> count and indices. */
export function parseGpuGres(text: string): { count: number; indices: number[] } {
  let count = 0;
  const indices: number[] = [];
  for (const item of splitGres(text)) {
    const match = /(?:^|[/:])gpu(?::[^:(=,]+)?[:=](\d+)(?:\(IDX:([^)]*)\))?/.exec(item);
    if (!match) continue;
    count += Number(match[1]);
    if (match[2]) indices.push(...parseIndexList(match[2]));
  }
  return { count, indices };
}

/** Split a GRES list on commas outside parentheses (IDX lists hold commas too). */
function splitGres(text: string): string[] {
  const items: string[] = [];
  let depth = 0;
  let current = '';
  for (const char of text) {
    if (char === '(') depth++;
    if (char === ')') depth--;
    if (char === ',' && depth === 0) {
      items.push(current);
      current = '';
    } else current += char;
  }
  if (current) items.push(current);
  return items;
}

/** Slurm durations: "days-hh:mm:ss", "hh:mm:ss", "mm:ss", minutes alone; UNLIMITED/INVALID/N/A -> null. */
export function parseDuration(text: string | undefined | null): number | null {
  const match = /^(?:(\d+)-)?(?:(\d+):)?(\d+)(?::(\d+))?$/.exec((text ?? '').trim());
  if (!match) return null;
  const [, days, a, b, c] = match;
  // "mm:ss" and "hh:mm:ss": the last colon group is seconds; a lone number is minutes.
  if (a === undefined && c === undefined) return Number(days ?? 0) * 86_400 + Number(b) * 60;
  if (c === undefined) return Number(days ?? 0) * 86_400 + (days ? Number(a) * 3600 + Number(b) * 60 : Number(a) * 60 + Number(b));
  return Number(days ?? 0) * 86_400 + Number(a ?? 0) * 3600 + Number(b) * 60 + Number(c);
}

/** "2026-11-30T05:01:02" (the host's local time, as scontrol/squeue print it) -> ISO; Unknown/None/N/A -> null. */
export function parseSlurmTime(text: string | undefined | null): string | null {
  const value = (text ?? '').trim();
  if (!/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/.test(value)) return null;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}

/** Seconds since the epoch -> ISO; 0 (not yet) -> null. */
export const epochToIso = (seconds: number | null | undefined): string | null =>
  typeof seconds === 'number' && seconds > 0 ? new Date(seconds * 1000).toISOString() : null;

interface PathContext {
  jobId: number;
  arrayJobId: number | null;
  arrayTaskId: string | null;
  name: string;
  user: string | null;
  firstNode: string | null;
  workDir: string | null;
}

/**
 * An output path as the job writes it: "" is Slurm's default (slurm-%j.out, slurm-%A_%a.out for arrays, in
 * the working directory), the filename patterns sbatch documents are filled in, and a relative path is the
 * working directory's.
 */
export function expandOutputPath(pattern: string | null | undefined, context: PathContext): string | null {
  const isArray = context.arrayJobId !== null && context.arrayTaskId !== null && /^\d+$/.test(context.arrayTaskId);
  const raw = pattern ? pattern : isArray ? 'slurm-%A_%a.out' : 'slurm-%j.out';
  const values: Record<string, string> = {
    j: String(context.jobId),
    A: String(isArray ? context.arrayJobId : context.jobId),
    a: isArray ? String(context.arrayTaskId) : '4294967294',
    x: context.name,
    u: context.user ?? '',
    N: context.firstNode ?? '',
    n: '0',
    t: '0',
    s: 'batch',
  };
  const expanded = raw.replace(/%(%|(\d*)([jAaxuNnts]))/g, (whole, all: string, width: string, key: string) => {
    if (all === '%') return '%';
    const value = Object.hasOwn(values, key) ? values[key]! : whole;
    return width && /^\d+$/.test(value) ? value.padStart(Number(width), '0') : value;
  });
  if (expanded.startsWith('/')) return expanded;
  return context.workDir ? `${context.workDir.replace(/\/$/, '')}/${expanded}` : null;
}

/** States after which a job runs no more. */
const ENDED_STATES = new Set([
  'COMPLETED',
  'FAILED',
  'TIMEOUT',
  'CANCELLED',
  'OUT_OF_MEMORY',
  'NODE_FAIL',
  'BOOT_FAIL',
  'DEADLINE',
  'PREEMPTED',
  'SPECIAL_EXIT',
  'REVOKED',
]);

/** The base state: "CANCELLED by 1000" -> CANCELLED, ["RUNNING","COMPLETING"] handled by callers. */
export const baseState = (state: string): string => state.trim().split(/[\s+]/)[0]!.toUpperCase();

export const isEnded = (state: string): boolean => ENDED_STATES.has(baseState(state));
