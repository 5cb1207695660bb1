// One GPU sample on an exec target (an SSH session's channel, or the user's VPN container): run the
// script under a timeout and turn whatever happens (answer, timeout, refused channel) into an outcome.
import { errorMessage } from '../core/errors.js';
import type { ExecOptions, ExecResult } from '../core/exec.js';
import { interpretSample, type SampleOutcome } from './gpu-sample.parser.js';
import { sampleCommand, type SampleMode } from './gpu-sample.script.js';

/** Where a sample runs. `exec` is one command on the target's existing connection. */
export interface GpuExecTarget {
  exec(command: string, options: ExecOptions): Promise<ExecResult>;
}

/** -q -x of a 16-GPU host is about 0.5 MB; anything far past that is not nvidia-smi talking. */
const OUTPUT_LIMIT_BYTES = 8 * 1024 * 1024;

export async function runSample(target: GpuExecTarget, mode: SampleMode, timeoutMs: number): Promise<SampleOutcome> {
  const timeoutSeconds = Math.max(1, Math.ceil(timeoutMs / 1000));
  let result: ExecResult;
  try {
    result = await target.exec(sampleCommand({ mode, timeoutSeconds }), { timeoutMs, outputLimitBytes: OUTPUT_LIMIT_BYTES });
  } catch (error) {
    return { status: 'failed', error: errorMessage(error), timedOut: false, nextMode: mode };
  }
  if (result.timedOut) {
    return { status: 'failed', error: `nvidia-smi did not answer within ${timeoutMs / 1000} s (the driver may be wedged)`, timedOut: true, nextMode: mode };
  }
  if (result.truncated) {
    return { status: 'failed', error: `The GPU sample printed more than ${OUTPUT_LIMIT_BYTES} bytes; it was not read`, timedOut: false, nextMode: mode };
  }
  return interpretSample(result.stdout.toString('utf8'), { mode, timeoutSeconds });
}
