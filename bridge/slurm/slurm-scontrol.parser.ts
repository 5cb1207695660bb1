// `scontrol show job -d <id>` -> one job. Pure. The text is Key=Value pairs over several lines; values may
// hold spaces (JobName, Command, paths), so a value runs up to the next " Key=" rather than the next space.
// With -d, each node of a running job has its own line: "Nodes=n1 CPU_IDs=0-1 Mem=0 GRES=gpu:2(IDX:2-3)".
import type { SlurmJob } from '../contracts/slurm.js';
import { baseState, expandHostlist, expandOutputPath, parseDuration, parseGpuGres, parseSlurmTime } from './slurm-values.js';

/** Keys scontrol prints: a capital letter, then letters, digits, _ : / (TRES, ReqTRES, Socks/Node, ...). */
const KEY = /(?:^|\s)([A-Z][A-Za-z0-9_:/]*)=/g;

/** One line's pairs in order (keys may repeat across lines, so lines are kept apart). */
export function parsePairs(line: string): Array<[string, string]> {
  const starts: Array<{ key: string; at: number; valueAt: number }> = [];
  for (const match of line.matchAll(KEY)) {
    starts.push({ key: match[1]!, at: match.index, valueAt: match.index + match[0].length });
  }
  return starts.map((s, i) => [s.key, line.slice(s.valueAt, i + 1 < starts.length ? starts[i + 1]!.at : undefined).trim()]);
}

export function parseScontrolJob(text: string, nowMs = Date.now()): SlurmJob {
  const fields = new Map<string, string>();
  const perNode: Array<{ node: string; indices: number[] }> = [];
  for (const line of text.split('\n')) {
    const pairs = parsePairs(line);
    if (pairs[0]?.[0] === 'Nodes' && pairs.some(([key]) => key === 'CPU_IDs')) {
      const gres = pairs.find(([key]) => key === 'GRES')?.[1] ?? '';
      const indices = parseGpuGres(gres).indices;
      for (const node of expandHostlist(pairs[0][1])) if (indices.length) perNode.push({ node, indices });
      continue;
    }
    for (const [key, value] of pairs) if (!fields.has(key)) fields.set(key, value);
  }
  if (!fields.has('JobId')) throw new Error('scontrol printed no JobId');
  return jobOf(fields, perNode, nowMs);
}

const field = (fields: Map<string, string>, key: string): string | null => {
  const value = fields.get(key);
  return value === undefined || value === '' || value === '(null)' || value === 'None' || value === 'N/A' ? null : value;
};

function jobOf(fields: Map<string, string>, perNode: Array<{ node: string; indices: number[] }>, nowMs: number): SlurmJob {
  const rawId = Number(field(fields, 'JobId'));
  const arrayJobId = field(fields, 'ArrayJobId') ? Number(field(fields, 'ArrayJobId')) : null;
  const taskField = field(fields, 'ArrayTaskId');
  const arrayTaskId = arrayJobId === null || taskField === null ? null : /^\d+$/.test(taskField) ? taskField : `[${taskField}]`;
  const hetJobId = field(fields, 'HetJobId') ? Number(field(fields, 'HetJobId')) : null;
  const hetOffset = field(fields, 'HetJobOffset');
  const state = baseState(field(fields, 'JobState') ?? 'UNKNOWN');
  const nodes = state === 'PENDING' ? null : field(fields, 'NodeList');
  // UserId=vltest(1000)
  const user = field(fields, 'UserId')?.replace(/\(\d+\)$/, '') ?? null;
  const name = fields.get('JobName') ?? '';
  const workDir = field(fields, 'WorkDir');
  const context = { jobId: rawId, arrayJobId, arrayTaskId, name, user, firstNode: nodes ? (expandHostlist(nodes)[0] ?? null) : null, workDir };
  const stdout = expandOutputPath(fields.get('StdOut'), context);
  const held = perNode.reduce((sum, node) => sum + node.indices.length, 0);
  const asked = parseGpuGres(field(fields, 'TresPerNode') ?? field(fields, 'TresPerJob') ?? '').count;
  const allocated = /gres\/gpu=(\d+)/.exec(field(fields, 'AllocTRES') ?? field(fields, 'ReqTRES') ?? '');
  const start = state === 'PENDING' ? null : parseSlurmTime(fields.get('StartTime'));
  const running = state === 'RUNNING' || state === 'COMPLETING' || state === 'SUSPENDED';
  return {
    job_id: arrayJobId !== null && arrayTaskId ? `${arrayJobId}_${arrayTaskId}` : hetJobId !== null && hetOffset ? `${hetJobId}+${hetOffset}` : String(rawId),
    raw_job_id: rawId,
    array_job_id: arrayJobId,
    array_task_id: arrayTaskId,
    het_job_id: hetJobId,
    name,
    user,
    state,
    reason: field(fields, 'Reason'),
    partition: field(fields, 'Partition'),
    nodes,
    gpus: { count: held || (allocated ? Number(allocated[1]) : asked), nodes: running ? perNode : [] },
    submit_time: parseSlurmTime(fields.get('SubmitTime')),
    start_time: start,
    end_time: running || state === 'PENDING' ? null : parseSlurmTime(fields.get('EndTime')),
    elapsed_seconds: state === 'PENDING' ? null : (parseDuration(fields.get('RunTime')) ?? (start ? Math.max(0, Math.floor((nowMs - Date.parse(start)) / 1000)) : null)),
    time_limit_seconds: parseDuration(fields.get('TimeLimit')),
    work_dir: workDir,
    stdout_path: stdout,
    stderr_path: fields.get('StdErr') ? expandOutputPath(fields.get('StdErr'), context) : stdout,
    exit_code: state === 'PENDING' || running ? null : field(fields, 'ExitCode'),
  };
}
