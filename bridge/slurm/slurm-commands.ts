// The Slurm commands on a session, each turned into data or an AppError: the list (JSON or -o form), one
// job's details, cancel, accounting for jobs that left squeue, and a job's GPUs sampled inside it.
// Slurm's own words are normalised here, in one place, as ssh2's and dockerode's are at theirs.
import { AppError, errorMessage } from '../core/errors.js';
import type { SlurmJob } from '../contracts/slurm.js';
import type { ExecOptions, ExecResult } from '../core/exec.js';
import { interpretSample, type SampleOutcome } from '../gpu/gpu-sample.parser.js';
import type { ListOutcome } from './slurm-poller.js';
import { parseSqueueJson } from './slurm-json.parser.js';
import { parseSqueueFormat } from './slurm-format.parser.js';
import { parseScontrolJob } from './slurm-scontrol.parser.js';
import { parseSacct, type AccountedJob } from './slurm-sacct.parser.js';
import {
  CANCEL_UNKNOWN_EXIT,
  cancelCommand,
  detailsCommand,
  jobGpuCommand,
  LIST_MARKERS,
  listCommand,
  NO_SLURM_EXIT,
  SACCT_UNAVAILABLE_EXIT,
  sacctCommand,
} from './slurm.script.js';

interface SlurmExecTarget {
  exec(command: string, options: ExecOptions): Promise<ExecResult>;
}

/** A full 1000-job listing in JSON is a few MB; far past that is not squeue talking. */
const OUTPUT_LIMIT_BYTES = 16 * 1024 * 1024;

const firstLine = (text: string): string => text.trim().split('\n')[0] ?? '';
const noSlurm = (host: string): string => `Slurm was not found on ${host}: squeue, scontrol and scancel are not on the PATH of a non-interactive shell there`;

export class SlurmCommands {
  constructor(private readonly timeoutMs: number) {}

  async list(target: SlurmExecTarget, host: string, nowMs = Date.now()): Promise<ListOutcome> {
    let result: ExecResult;
    try {
      result = await this.run(target, listCommand());
    } catch (error) {
      return { status: 'failed', error: errorMessage(error), timedOut: false };
    }
    if (result.timedOut) return { status: 'failed', error: `squeue did not answer within ${this.timeoutMs / 1000} s`, timedOut: true };
    if (result.exitCode === NO_SLURM_EXIT) return { status: 'no_slurm', error: noSlurm(host) };
    const text = result.stdout.toString('utf8');
    const newline = text.indexOf('\n');
    const marker = newline < 0 ? text : text.slice(0, newline);
    const body = newline < 0 ? '' : text.slice(newline + 1);
    // "<marker> <user>": the login name is the last word.
    const user = marker.slice(marker.lastIndexOf(' ') + 1);
    try {
      if (result.exitCode === 0 && marker.startsWith(`${LIST_MARKERS.json} `)) return { status: 'ok', jobs: parseSqueueJson(body, user, nowMs), source: 'json' };
      if (result.exitCode === 0 && marker.startsWith(`${LIST_MARKERS.format} `)) return { status: 'ok', jobs: parseSqueueFormat(body), source: 'format' };
    } catch (error) {
      return { status: 'failed', error: `squeue's answer could not be read: ${errorMessage(error)}`, timedOut: false };
    }
    const why = firstLine(result.stderr.toString('utf8')) || firstLine(body) || 'no output';
    return { status: 'failed', error: `squeue failed (exit ${result.exitCode}): ${why}`, timedOut: false };
  }

  async details(target: SlurmExecTarget, host: string, jobId: string, nowMs = Date.now()): Promise<SlurmJob> {
    const result = this.check(await this.run(target, detailsCommand(jobId)), host, 'scontrol');
    if (result.exitCode !== 0) {
      const why = firstLine(result.stderr.toString('utf8'));
      // scontrol: "slurm_load_jobs error: Invalid job id specified"
      if (/invalid job id/i.test(why)) throw new AppError('not_found', `No Slurm job ${jobId} on ${host} (Slurm: ${why})`);
      throw new AppError('upstream_failed', `scontrol show job ${jobId} failed on ${host}: ${why || `exit ${result.exitCode}`}`);
    }
    try {
      return parseScontrolJob(result.stdout.toString('utf8'), nowMs);
    } catch (error) {
      throw new AppError('upstream_failed', `scontrol's answer for job ${jobId} could not be read: ${errorMessage(error)}`);
    }
  }

  async cancel(target: SlurmExecTarget, host: string, jobId: string): Promise<void> {
    const result = this.check(await this.run(target, cancelCommand(jobId)), host, 'scancel');
    if (result.exitCode === 0) return;
    if (result.exitCode === CANCEL_UNKNOWN_EXIT) throw new AppError('not_found', `No Slurm job ${jobId} on ${host}`);
    const why = firstLine(result.stderr.toString('utf8')) || firstLine(result.stdout.toString('utf8'));
    // scancel: "scancel: error: Kill job error on job id 12: Access/permission denied"
    if (/permission denied|access.denied|not the owner|Invalid user id/i.test(why)) throw new AppError('forbidden', why);
    throw new AppError('upstream_failed', `scancel ${jobId} failed on ${host}: ${why || `exit ${result.exitCode}`}`);
  }

  /** Accounting's record of jobs; null when the cluster keeps none (no slurmdbd). */
  async accounted(target: SlurmExecTarget, jobIds: readonly string[]): Promise<AccountedJob[] | null> {
    const result = await this.run(target, sacctCommand(jobIds));
    if (result.timedOut || result.exitCode === NO_SLURM_EXIT || result.exitCode === SACCT_UNAVAILABLE_EXIT || result.exitCode !== 0) return null;
    return parseSacct(result.stdout.toString('utf8'));
  }

  async jobGpus(target: SlurmExecTarget, jobId: string, node: string): Promise<SampleOutcome> {
    const timeoutSeconds = Math.max(1, Math.ceil(this.timeoutMs / 1000));
    const result = await this.run(target, jobGpuCommand(jobId, node, timeoutSeconds));
    if (result.timedOut) return { status: 'failed', error: `srun into job ${jobId} did not answer within ${timeoutSeconds} s`, timedOut: true, nextMode: 'query' };
    const stdout = result.stdout.toString('utf8');
    if (result.exitCode !== 0 && !stdout.trim()) {
      return { status: 'failed', error: `srun --overlap into job ${jobId} failed: ${firstLine(result.stderr.toString('utf8')) || `exit ${result.exitCode}`}`, timedOut: false, nextMode: 'query' };
    }
    return interpretSample(stdout, { mode: 'query', timeoutSeconds });
  }

  private async run(target: SlurmExecTarget, command: string): Promise<ExecResult> {
    return target.exec(command, { timeoutMs: this.timeoutMs, outputLimitBytes: OUTPUT_LIMIT_BYTES });
  }

  private check(result: ExecResult, host: string, tool: string): ExecResult {
    if (result.timedOut) throw new AppError('upstream_timeout', `${tool} did not answer on ${host} within ${this.timeoutMs / 1000} s`);
    if (result.exitCode === NO_SLURM_EXIT) throw new AppError('not_found', noSlurm(host));
    return result;
  }
}
