// Soak: 100 users x 5 SSH sessions on one bridge process for 30 minutes, every session running a
// command every few seconds, with the bridge's RSS and open file descriptors printed over time; they
// should stay flat once all sessions are up. Not in CI (npm run bench soak). Shorter or smaller:
//   node --import tsx bench/soak.bench.ts --minutes 2 --users 20 --sessions 5
import fs from 'node:fs';
import { parseArgs } from 'node:util';
import { connectSession, printTable, startRig, type BenchRig } from './ssh-bench-kit.js';

const { values } = parseArgs({
  options: {
    minutes: { type: 'string', default: '30' },
    users: { type: 'string', default: '100' },
    sessions: { type: 'string', default: '5' },
    'command-every-seconds': { type: 'string', default: '5' },
  },
});
const MINUTES = Number(values.minutes);
const USERS = Number(values.users);
const SESSIONS = Number(values.sessions);
const COMMAND_EVERY_MS = Number(values['command-every-seconds']) * 1000;
/** sshd lets 10 unauthenticated connections in at once (MaxStartups); connect in batches that size. */
const CONNECT_BATCH = 10;

interface Sample {
  minute: number;
  rssMb: number;
  fds: number;
  commands: number;
  failures: number;
}

function processFigures(pid: number): { rssMb: number; fds: number } {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const rssKb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return { rssMb: Math.round(rssKb / 102.4) / 10, fds: fs.readdirSync(`/proc/${pid}/fd`).length };
}

async function connectAll(rig: BenchRig): Promise<Array<[string, string]>> {
  const pairs: Array<[string, string]> = [];
  for (let u = 0; u < USERS; u++) for (let s = 0; s < SESSIONS; s++) pairs.push([`soak${u}`, `s${s}`]);
  for (let i = 0; i < pairs.length; i += CONNECT_BATCH) {
    await Promise.all(pairs.slice(i, i + CONNECT_BATCH).map(([user, session]) => connectSession(rig, user, session)));
  }
  return pairs;
}

async function main(): Promise<void> {
  const rig = await startRig({ SSH_MAX_SESSIONS_PER_USER: String(Math.max(SESSIONS, 10)), VIGILINK_LOG_LEVEL: 'warn' });
  const pid = rig.bridge.child.pid!;
  const counts = { commands: 0, failures: 0 };
  try {
    const started = Date.now();
    const pairs = await connectAll(rig);
    console.log(`${pairs.length} sessions up in ${((Date.now() - started) / 1000).toFixed(1)} s; running for ${MINUTES} min`);
    const until = Date.now() + MINUTES * 60_000;
    const samples: Sample[] = [];
    const sample = (): void => {
      samples.push({ minute: Math.round(((Date.now() - started) / 60_000) * 10) / 10, ...processFigures(pid), ...counts });
      const last = samples.at(-1)!;
      console.log(`t=${last.minute} min  rss=${last.rssMb} MB  fds=${last.fds}  commands=${last.commands}  failures=${last.failures}`);
    };
    sample();
    const sampler = setInterval(sample, Math.min(60_000, Math.max(10_000, (MINUTES * 60_000) / 10)));
    // Each session runs its own loop of commands, spread over the period so they do not arrive together.
    await Promise.all(
      pairs.map(async ([user, session], i) => {
        await new Promise((resolve) => setTimeout(resolve, (i * COMMAND_EVERY_MS) / pairs.length));
        while (Date.now() < until) {
          const res = await rig.client.request('POST', '/api/terminal/bastion/run', { user_id: user, session_id: session, command: 'echo soak' });
          counts.commands++;
          if (res.status !== 200 || res.body?.stdout !== 'soak\n') counts.failures++;
          await new Promise((resolve) => setTimeout(resolve, COMMAND_EVERY_MS));
        }
      }),
    );
    clearInterval(sampler);
    sample();
    const settled = samples[1] ?? samples[0]!;
    const last = samples.at(-1)!;
    printTable(
      `Soak: ${pairs.length} sessions (${USERS} users x ${SESSIONS}), ${MINUTES} min`,
      ['', 'after connect', 'end', 'change'],
      [
        ['RSS (MB)', String(settled.rssMb), String(last.rssMb), `${(((last.rssMb - settled.rssMb) / settled.rssMb) * 100).toFixed(1)} %`],
        ['open fds', String(settled.fds), String(last.fds), String(last.fds - settled.fds)],
        ['commands', '', String(last.commands), `${last.failures} failed`],
      ],
    );
  } finally {
    await rig.close();
  }
}

await main();
