// `sacct -X -n -P -o JobID,JobName,State,ExitCode,Start,End` -> the final state of jobs that left squeue. Pure.
// -P separates with "|"; JobName is the one free-text field, so it is read as what lies between the fixed ones.
import { baseState, parseSlurmTime } from './slurm-values.js';

export interface AccountedJob {
  job_id: string;
  name: string;
  state: string;
  exit_code: string | null;
  start_time: string | null;
  end_time: string | null;
}

export function parseSacct(text: string): AccountedJob[] {
  const jobs: AccountedJob[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    const cells = line.split('|');
    if (cells.length < 6) throw new Error(`sacct printed a line with ${cells.length} fields where 6 were asked for`);
    const [jobId] = cells as [string];
    const [state, exitCode, start, end] = cells.slice(-4) as [string, string, string, string];
    jobs.push({
      job_id: jobId,
      name: cells.slice(1, -4).join('|'),
      state: baseState(state),
      exit_code: exitCode || null,
      start_time: parseSlurmTime(start),
      end_time: parseSlurmTime(end),
    });
  }
  return jobs;
}
