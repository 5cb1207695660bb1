// The logger's redaction: secret keys at any of the first four levels never print, in log objects and
// child bindings alike; objects without secrets go through uncopied; errors stay errors.
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger, redactSecrets } from '../../../bridge/core/logger.js';

function capture(): { lines: () => Record<string, unknown>[]; destination: Writable } {
  const chunks: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
  return { destination, lines: () => chunks.join('').trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>) };
}

describe('logger redaction', () => {
  it('censors secret keys up to four levels down, in arrays too, and leaves the caller its object', () => {
    const input = {
      password: 'p1',
      body: { private_key: 'k', jump: { passphrase: 'pp', host: 'h', deeper: { token: 't' } } },
      list: [{ secret: 's', ok: 1 }],
      req: { headers: { authorization: 'Bearer x', cookie: 'c', accept: '*/*' } },
    };
    const out = redactSecrets(input);
    expect(out).toEqual({
      password: '[redacted]',
      body: { private_key: '[redacted]', jump: { passphrase: '[redacted]', host: 'h', deeper: { token: '[redacted]' } } },
      list: [{ secret: '[redacted]', ok: 1 }],
      req: { headers: { authorization: '[redacted]', cookie: '[redacted]', accept: '*/*' } },
    });
    expect(input.password).toBe('p1');
    expect(input.body.jump.deeper.token).toBe('t');
  });

  it('returns the very object when there is nothing to censor (no copy on the hot path)', () => {
    const line = { method: 'POST', path: '/api/terminal/bastion/run', status: 200, ms: 3.1, nested: { a: [1, 2] } };
    expect(redactSecrets(line)).toBe(line);
  });

  it('keeps an error an Error with its message when it censors a field of it', () => {
    const error = Object.assign(new Error('boom'), { config: { password: 'hunter2' } });
    const out = redactSecrets({ err: error }).err;
    expect(out).toBeInstanceOf(Error);
    expect(out.message).toBe('boom');
    expect(out.config.password).toBe('[redacted]');
  });

  it('prints no secret from a log call or a child binding', () => {
    const { destination, lines } = capture();
    const log = createLogger({ level: 'info', destination }).child({ user_id: 'alice', token: 'tok-child' });
    log.info({ body: { password: 'hunter2', hostname: 'gpu1' }, err: Object.assign(new Error('x'), { privateKey: 'PK' }) }, 'hello');
    const [line] = lines();
    expect(JSON.stringify(line)).not.toMatch(/hunter2|tok-child|PK/);
    expect(line).toMatchObject({ user_id: 'alice', token: '[redacted]', body: { password: '[redacted]', hostname: 'gpu1' }, msg: 'hello' });
    expect((line!.err as { message: string }).message).toBe('x');
  });
});
