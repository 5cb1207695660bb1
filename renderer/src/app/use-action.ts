// One button's request: busy while it runs, the API's `detail` when it fails.
import { useState } from 'react';
import { errorText } from '../ui/format';

export interface ActionOptions {
  /** Stay busy after success: the row goes away when the live `state` arrives, so it must not flicker back. */
  busyUntilGone?: boolean;
}

export function useAction(options: ActionOptions = {}) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const run = async (work: () => Promise<unknown>): Promise<void> => {
    setBusy(true);
    setError(null);
    try {
      await work();
      if (!options.busyUntilGone) setBusy(false);
    } catch (e) {
      setError(errorText(e));
      setBusy(false);
    }
  };
  return { busy, error, clearError: () => setError(null), run };
}
