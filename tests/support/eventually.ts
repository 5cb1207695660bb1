// The one way tests wait: poll a condition until it holds or the time runs out, then fail saying what was awaited.

type Falsy = false | 0 | '' | null | undefined;

export interface EventuallyOptions {
  timeoutMs?: number;
  /** How long to wait between checks; short for in-process state, longer for checks that ask a server. */
  intervalMs?: number;
}

/**
 * Poll `check` until it returns a truthy value without throwing, and return that value. A check that throws
 * (an `expect` inside it, say) counts as "not yet". After `timeoutMs` (a number or options) fail with `what`
 * and the last error or value seen, so the failure says what never happened.
 */
export async function eventually<T>(what: string, check: () => T | Promise<T>, options: number | EventuallyOptions = {}): Promise<Exclude<T, Falsy>> {
  const { timeoutMs = 10_000, intervalMs = 50 } = typeof options === 'number' ? { timeoutMs: options } : options;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    let seen: string;
    try {
      const value = await check();
      if (value) return value as Exclude<T, Falsy>;
      seen = `last seen: ${String(JSON.stringify(value))}`;
    } catch (error) {
      seen = error instanceof Error ? error.message : String(error);
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} (${seen})`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
