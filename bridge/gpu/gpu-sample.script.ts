// The remote side of one GPU sample: a small POSIX sh script run on ONE channel exec of the existing
// session. It queries GPUs and compute apps as CSV, falls back to -q -x in the same round trip when
// the driver rejects a field, and maps process ids to user names with ps. Sections are delimited by
// marker lines carrying a per-process nonce, so no process name can forge one.
import crypto from 'node:crypto';

/** nvidia-smi's documented --query-gpu names, in the order of our CSV columns. */
export const GPU_QUERY_FIELDS = [
  'index',
  'uuid',
  'name',
  'utilization.gpu',
  'utilization.memory',
  'memory.used',
  'memory.total',
  'temperature.gpu',
  'power.draw',
  'power.limit',
  'fan.speed',
  'pstate',
  'clocks.sm',
] as const;

export const APP_QUERY_FIELDS = ['gpu_uuid', 'pid', 'process_name', 'used_gpu_memory'] as const;

/**
 * Multi-line XML blocks the parser never reads (supported clocks alone are 2/3 of a V100's -q -x). Cut on
 * the host: a 228 KB answer of 8 GPUs becomes 26 KB to send and parse. Only a block whose opening tag ends
 * its line is cut, so a one-line `<supported_clocks>N/A</supported_clocks>` stays (sed would otherwise run
 * on into the next GPU); none of these names nests inside itself.
 */
const UNREAD_XML_BLOCKS = [
  'supported_clocks',
  'accounted_processes',
  'ecc_errors',
  'retired_pages',
  'pci',
  'clocks_throttle_reasons',
  'clocks_event_reasons',
  'applications_clocks',
  'default_applications_clocks',
  'max_clocks',
  'max_customer_boost_clocks',
  'bar1_memory_usage',
  'mig_devices',
  'encoder_stats',
  'fbc_stats',
  'supported_gpu_target_temp',
  'clock_policy',
  'inforom_version',
  'gpu_operation_mode',
  'gpu_virtualization_mode',
  'driver_model',
  'module_power_readings',
  'gpu_memory_power_readings',
];

/**
 * The elements gpu-xml.parser reads (and their containers). After the unread blocks are cut, only lines
 * of these stay: a 228 KB answer of 8 GPUs becomes about 6 KB, so the XML fallback costs the bridge
 * little more than the CSV path. A stray leaf of a cut container (bar1's <used>) lands one level up,
 * where the parser does not look.
 */
const READ_XML_TAGS = [
  'nvidia_smi_log',
  'driver_version',
  'attached_gpus',
  'gpu',
  'uuid',
  'product_name',
  'utilization',
  'gpu_util',
  'memory_util',
  'fb_memory_usage',
  'used',
  'total',
  'power_readings',
  'gpu_power_readings',
  'power_draw',
  'average_power_draw',
  'instant_power_draw',
  'power_limit',
  'current_power_limit',
  'fan_speed',
  'performance_state',
  'clocks',
  'sm_clock',
  'temperature',
  'gpu_temp',
  'processes',
  'process_info',
  'pid',
  'type',
  'process_name',
  'used_memory',
];

/** query: CSV first (falls back to XML by itself); xml: this host already rejected a field, go straight to -q -x. */
export type SampleMode = 'query' | 'xml';

export const SECTION_NONCE = crypto.randomBytes(6).toString('hex');
const MARKER = `@@vigilink-gpu-${SECTION_NONCE}`;

export interface SampleScriptOptions {
  mode: SampleMode;
  /** nvidia-smi runs under `timeout` with this many seconds when the host has coreutils' timeout, so a wedged call does not linger there. */
  timeoutSeconds: number;
}

const cache = new Map<string, string>();

/**
 * The command for the session's exec. Each element below is a complete sh command: they are joined with
 * "; " into ONE line, so csh/tcsh/fish login shells (which reject newlines inside quotes) run it too.
 */
export function sampleCommand(options: SampleScriptOptions): string {
  const seconds = Math.max(1, Math.ceil(options.timeoutSeconds));
  const key = `${options.mode}:${seconds}`;
  const cached = cache.get(key);
  if (cached) return cached;
  const query = `--format=csv,noheader,nounits`;
  // The answer: each section is a marker line and its text; `s name rc text`.
  const answer = [
    'if [ -n "$r" ]; then s rejected 0 "$r"; fi',
    'if [ $m = query ]; then s gpu $gr "$g"; fi',
    'if [ $m = query ] && [ $gr = 0 ]; then s apps $ar "$a"; fi',
    'if [ $m = xml ]; then s xml $xr "$x"; fi',
    // procps-ng widens user:32; older ps (busybox) only knows user.
    'if [ -n "$p" ]; then s ps 0 "$(ps -o pid=,user:32= -p "$p" 2>/dev/null || ps -o pid=,user= -p "$p" 2>/dev/null)"; fi',
    's end 0 ""',
  ];
  const statements = [
    'LC_ALL=C',
    'export LC_ALL',
    // Non-interactive shells often lack the driver's bin folders; appended, so the user's own PATH wins.
    'PATH="$PATH:/usr/bin:/bin:/usr/local/bin:/usr/local/nvidia/bin:/usr/lib/wsl/lib"',
    'export PATH',
    'T=""',
    `command -v timeout >/dev/null 2>&1 && T="timeout -k 2 ${seconds}"`,
    `m=${options.mode}`,
    'g=""',
    'a=""',
    'r=""',
    'p=""',
    'gr=0',
    // 1. Ask: CSV first; a rejected field switches to -q -x within this same exec.
    `if [ $m = query ]; then g=$($T nvidia-smi --query-gpu=${GPU_QUERY_FIELDS.join(',')} ${query} 2>&1); gr=$?; fi`,
    'case "$g" in *"is not a valid field to query"*) m=xml; r="$g";; esac',
    `if [ $m = query ] && [ $gr = 0 ]; then a=$($T nvidia-smi --query-compute-apps=${APP_QUERY_FIELDS.join(',')} ${query} 2>&1); ar=$?; fi`,
    'case "$a" in *"is not a valid field to query"*) m=xml; r="$a";; esac',
    // The pids (2nd column) as "1,2,3" with shell builtins only: no extra programs on the hot path.
    'if [ $m = query ] && [ $gr = 0 ]; then p=$(printf "%s\\n" "$a" | while IFS=", " read -r u i z; do case $i in *[0-9]) printf "%s," "$i";; esac; done); p=${p%,}; fi',
    'if [ $m = xml ]; then x=$($T nvidia-smi -q -x 2>&1); xr=$?; fi',
    // nvidia-smi writes one element per line: cut the unread blocks, the indentation, then every line of an element we do not read.
    `if [ $m = xml ] && [ $xr = 0 ]; then x=$(printf "%s\\n" "$x" | sed ${UNREAD_XML_BLOCKS.map((tag) => `-e "/<${tag}>$/,/<\\/${tag}>/d"`).join(' ')} -e "s/^[[:space:]]*//" | grep -E "^<(/)?(${READ_XML_TAGS.join('|')})( [^>]*)?>"); fi`,
    'if [ $m = xml ]; then p=$(printf "%s\\n" "$x" | sed -n "s:.*<pid>\\([0-9][0-9]*\\)</pid>.*:\\1:p" | paste -sd, -); fi',
    // 2. Answer in ONE write (a couple of SSH data packets instead of one per printf).
    `s() { printf "\\n${MARKER} %s %s\\n%s\\n" "$1" "$2" "$3"; }`,
    `o=$(${answer.join('; ')})`,
    'printf "%s\\n" "$o"',
    'exit 0',
  ];
  const script = statements.join('; ');
  // SECURITY: the script is built from constants and one integer only; it holds no single quote, so
  // wrapping it in single quotes is exact. Nothing a user or a remote host sends is interpolated.
  if (script.includes("'")) throw new Error('the GPU sample script must not contain a single quote');
  // /bin/sh by path: the login shell may be anything, and the PATH it gives may lack sh.
  const command = `/bin/sh -c '${script}'`;
  cache.set(key, command);
  return command;
}

/** The line a loop prints when its nvidia-smi ends: `<LOOP_END> <exit code>`. */
export const LOOP_END = `${MARKER} exit`;

// The start of both loop scripts. The bridge ends a loop with a TERM on the channel, which sshd gives to
// this shell alone: pass it on to the whole group (sshd made the command a session of its own), so a wedged
// nvidia-smi does not linger.
const LOOP_PRELUDE = [
  'trap "trap - TERM; kill 0" TERM HUP',
  'LC_ALL=C',
  'export LC_ALL',
  'PATH="$PATH:/usr/bin:/bin:/usr/local/bin:/usr/local/nvidia/bin:/usr/lib/wsl/lib"',
  'export PATH',
].join('; ');

/**
 * The command of a loop-mode channel: the GPU and the compute-apps query each run ONCE in nvidia-smi's
 * own loop (-lms), so NVML loads once instead of on every sample. The GPU loop writes to the channel's
 * stdout and the apps loop to its stderr, so nvidia-smi's own writes (one per round) go out as they are:
 * no shell loop per line on the host, and one SSH packet per round and stream for the bridge. Each ends
 * with a LOOP_END line carrying nvidia-smi's exit code (loop mode refused, a field rejected, driver gone).
 */
export function loopCommand(intervalMs: number): string {
  const ms = Math.max(1, Math.round(intervalMs));
  const query = `--format=csv,noheader,nounits -lms ${ms}`;
  const loop = (what: string): string => `{ nvidia-smi ${what} ${query} 2>&1; echo "${LOOP_END} $?"; }`;
  const script = `${LOOP_PRELUDE}; ${loop(`--query-gpu=${GPU_QUERY_FIELDS.join(',')}`)} & ${loop(`--query-compute-apps=${APP_QUERY_FIELDS.join(',')}`)} >&2 & wait`;
  // SECURITY: built from constants and one integer only, without a single quote (as sampleCommand).
  if (script.includes("'")) throw new Error('the GPU loop script must not contain a single quote');
  return `/bin/sh -c '${script}'`;
}

/**
 * The XML fallback's loop-mode channel: ONE `nvidia-smi -q -x -lms` (hosts whose driver rejects a CSV field),
 * trimmed on the host by awk as the sample script trims it (unread blocks cut, only the lines of elements
 * the parser reads), each round's document flushed WHOLE with one fflush: a few 4 KiB writes per round rather
 * than one per line. Lines that are not XML (nvidia-smi's complaint) and the LOOP_END line pass through.
 */
export function xmlLoopCommand(intervalMs: number): string {
  const ms = Math.max(1, Math.round(intervalMs));
  const awk = [
    'function emit(text) { printf "%s", text; fflush() }',
    '{ sub(/^[[:space:]]+/, "") }',
    // A document's last line may lack its newline (then it runs into the next round or the LOOP_END line,
    // and awk sees it only a round later): the document goes out at its last </gpu> already.
    `index($0, "</nvidia_smi_log>") == 1 { tail = substr($0, 18); if (!sent && doc != "") emit(doc "</nvidia_smi_log>\\n"); if (tail ~ /^@@/) emit(tail "\\n"); doc = ""; sent = 0; closed = 0; want = 0; next }`,
    `skip != "" { if ($0 == "</" skip ">") skip = ""; next }`,
    `/^<(${UNREAD_XML_BLOCKS.join('|')})>$/ { skip = substr($0, 2, length($0) - 2); next }`,
    '/^<attached_gpus>/ { want = $0; gsub(/[^0-9]/, "", want); want += 0 }',
    `/^<\\/?(${READ_XML_TAGS.join('|')})( [^>]*)?>/ { if (sent) next; doc = doc $0 "\\n"; if ($0 == "</gpu>" && ++closed == want) { emit(doc "</nvidia_smi_log>\\n"); sent = 1 }; next }`,
    '/^</ { next }',
    '/./ { emit($0 "\\n") }',
  ].join(' ');
  // Inside the sh script's double quotes: $ and " are escaped; the program has no backslash before either.
  const quoted = awk.replace(/["$]/g, (c) => `\\${c}`);
  const script = `${LOOP_PRELUDE}; { nvidia-smi -q -x -lms ${ms} 2>&1; echo "${LOOP_END} $?"; } | awk "${quoted}" & wait`;
  // SECURITY: built from constants and one integer only, without a single quote (as sampleCommand).
  if (script.includes("'")) throw new Error('the GPU XML loop script must not contain a single quote');
  return `/bin/sh -c '${script}'`;
}

export interface ScriptSection {
  rc: number;
  text: string;
}

export interface ScriptSections {
  gpu?: ScriptSection;
  apps?: ScriptSection;
  rejected?: ScriptSection;
  xml?: ScriptSection;
  ps?: ScriptSection;
  /** The end marker arrived: the script ran to the end. */
  complete: boolean;
  /** Text before the first marker (a login banner, a shell complaint such as "sh: not found"). */
  preamble: string;
}

const MARKER_LINE = new RegExp(`^${MARKER} (\\w+) (-?\\d+)$`);

export function splitSections(stdout: string): ScriptSections {
  const sections: ScriptSections = { complete: false, preamble: '' };
  let current: { name: string; rc: number; lines: string[] } | null = null;
  const preamble: string[] = [];
  const close = (): void => {
    if (!current) return;
    const text = current.lines.join('\n').replace(/^\n+|\n+$/g, '');
    if (current.name === 'end') sections.complete = true;
    else if (['gpu', 'apps', 'rejected', 'xml', 'ps'].includes(current.name)) {
      sections[current.name as 'gpu'] = { rc: current.rc, text };
    }
  };
  for (const line of stdout.split('\n')) {
    const match = MARKER_LINE.exec(line);
    if (match) {
      close();
      current = { name: match[1]!, rc: Number(match[2]), lines: [] };
    } else if (current) current.lines.push(line);
    else preamble.push(line);
  }
  close();
  sections.preamble = preamble.join('\n').trim();
  return sections;
}
