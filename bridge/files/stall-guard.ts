// A pass-through for download bodies that ends the transfer when no byte moves for a while: a client
// that stops reading (or a file read that hangs) must not hold an SSH channel for ever.
import { Transform } from 'node:stream';
import { AppError } from '../core/errors.js';

/** Destroys itself (and so the whole pipeline, source included) after `stallMs` without a chunk passing. */
export function stallGuard(stallMs: number): Transform {
  let timer: NodeJS.Timeout | undefined;
  const arm = (): void => {
    clearTimeout(timer);
    timer = setTimeout(() => guard.destroy(new AppError('upstream_timeout', `The download moved no data for ${stallMs / 1000} s`)), stallMs);
  };
  const guard = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      arm();
      callback(null, chunk);
    },
    flush(callback) {
      clearTimeout(timer);
      callback();
    },
  });
  guard.once('close', () => clearTimeout(timer));
  arm();
  return guard;
}
