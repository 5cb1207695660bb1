// Which Slurm states end a job, as the UI needs it (cancel goes away, GPUs are no longer held).
const ENDED = new Set(['COMPLETED', 'FAILED', 'TIMEOUT', 'CANCELLED', 'OUT_OF_MEMORY', 'NODE_FAIL', 'BOOT_FAIL', 'DEADLINE', 'PREEMPTED', 'SPECIAL_EXIT', 'REVOKED']);

export const isEnded = (state: string): boolean => ENDED.has(state);
