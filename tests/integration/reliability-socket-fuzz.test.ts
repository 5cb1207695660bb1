// The reliability campaign over socket.io: every event of CLIENT_EVENT_PAYLOADS with payloads built from
// its schema and mutated into hostile ones, sent with an ack, without one and with extra arguments, plus
// undecodable packets. Properties: every ack is {ok,data} or {ok:false,error{kind,status,detail}} and never
// 'internal', the socket stays connected, the bridge and alice's SSH session and terminal stay up.
import fc from 'fast-check';
import { z } from 'zod';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { CLIENT_EVENT_PAYLOADS, type AckResult } from '../../bridge/contracts/socket.js';
import { startBridge, type TestBridge } from '../support/bridge.js';
import { applyMutation, FUZZ_SESSIONS, FUZZ_USERS, fromSchema, hostileString, mutationOf, type JsonSchema, type SchemaContext } from '../support/fuzz-kit.js';
import { connectSocket, request, type ClientSocket } from '../support/live-client.js';
import { sweepForSecrets } from '../support/secrets-sweep.js';
import { startSshd, type Sshd } from '../support/sshd.js';
import { connectBody } from '../support/ssh-test-kit.js';
import { eventually } from '../support/eventually.js';

const SEED = Number(process.env.VIGILINK_FUZZ_SEED ?? 20261130);
const RUNS = Number(process.env.VIGILINK_FUZZ_RUNS ?? 40);
const account = inject('testAccount');
const ACK_TIMEOUT_MS = 30_000;

let sshd: Sshd;
let t: TestBridge;
let socket: ClientSocket;
let aliceTerminal: string;
let terminalOutput = '';
const opened = new Set<string>();

beforeAll(async () => {
  sshd = await startSshd();
  t = await startBridge();
  expect((await t.api('POST', '/ssh/connect?session_id=default', connectBody(sshd, account))).status).toBe(200);
  socket = await connectSocket(t.baseUrl, { token: t.token }, (s) =>
    s.on('term:data', (payload, ack) => {
      terminalOutput += Buffer.from(payload.data as ArrayBuffer).toString('utf8');
      ack();
    }),
  );
  const open = await request(socket, 'term:open', { user_id: 'alice', cols: 80, rows: 24 });
  expect(open.ok).toBe(true);
  aliceTerminal = (open as { data: { terminal_id: string } }).data.terminal_id;
  // Fuzzed keystrokes go to a cat in raw mode (no signals, no EOF), never to a shell that would run them.
  socket.emit('term:input', { terminal_id: aliceTerminal, data: "stty raw -echo; echo swallow''ing; exec cat > /dev/null\r" });
  await eventually('the terminal swallowing input', () => terminalOutput.includes('swallowing'), 15_000);
}, 300_000);

afterAll(async () => {
  socket?.close();
  await t?.close();
  await sshd?.stop();
});

/** term:close of alice's terminal would be a legitimate close: that event fuzzes other ids only. */
function payloadContext(event: string): SchemaContext {
  const terminalIds = ['no-such-terminal', 'constructor', '__proto__', ...(event === 'term:close' ? [] : [aliceTerminal])];
  return {
    components: {},
    fields: new Map<string, fc.Arbitrary<unknown>>([
      ['user_id', fc.constantFrom('alice', ...FUZZ_USERS)],
      ['session_id', fc.constantFrom(...FUZZ_SESSIONS)],
      ['terminal_id', fc.constantFrom(...terminalIds)],
      ['data', fc.oneof(fc.string({ minLength: 1, maxLength: 200 }), hostileString('command').filter((s) => s.length > 0))],
    ]),
  };
}

type Emission = 'ack' | 'no-ack' | 'extra-args';

function checkAck(event: string, result: AckResult<unknown>): void {
  const where = `${event} ack ${JSON.stringify(result).slice(0, 300)}`;
  expect(typeof result.ok, where).toBe('boolean');
  if (result.ok) return;
  expect(result.error, where).toEqual({ kind: expect.any(String), status: expect.any(Number), detail: expect.any(String) });
  expect(result.error.kind, where).not.toBe('internal');
}

async function emit(event: string, payload: unknown, how: Emission): Promise<void> {
  const raw = socket.emit.bind(socket) as unknown as (e: string, ...args: unknown[]) => void;
  if (how === 'no-ack') return void raw(event, payload);
  if (how === 'extra-args') return void raw(event, payload, 'extra', { __proto__: null }, 42);
  const result = await request(socket, event as never, payload, ACK_TIMEOUT_MS);
  checkAck(event, result);
  const data = result.ok ? (result.data as { terminal_id?: unknown } | null) : null;
  if (event === 'term:open' && typeof data?.terminal_id === 'string') opened.add(data.terminal_id);
}

async function aliceStaysUp(after: string): Promise<void> {
  expect(socket.connected, 'the fuzzing socket must stay connected').toBe(true);
  expect((await t.api('GET', '/healthz', undefined, { token: null })).status).toBe(200);
  expect((await t.api('GET', '/ssh/status?user_id=alice')).body.sessions).toMatchObject([{ session_id: 'default', active: true }]);
  const resize = await request(socket, 'term:resize', { terminal_id: aliceTerminal, cols: 100, rows: 30 });
  expect(resize, `alice's terminal must stay open (after ${after})`).toEqual({ ok: true, data: null });
}

describe('socket.io fuzz of every client event', () => {
  it('takes a NUL in keystrokes as channel data (Ctrl-@ sends one): the session and terminal stay up', async () => {
    expect(await request(socket, 'term:input', { terminal_id: aliceTerminal, data: 'a\u0000b\u0000' })).toEqual({ ok: true, data: null });
    await aliceStaysUp('a NUL keystroke');
  });

  it('keeps every event to its contract under hostile payloads', async () => {
    for (const [event, schema] of Object.entries(CLIENT_EVENT_PAYLOADS)) {
      const ctx = payloadContext(event);
      const jsonSchema = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
      // Schemas with an id (a `.meta({ id })`) come back as $refs into the document's own $defs.
      Object.assign(ctx.components, (jsonSchema.$defs ?? {}) as Record<string, JsonSchema>);
      const fields = Object.keys((jsonSchema.properties ?? {}) as object);
      const payload = fc.tuple(fromSchema(jsonSchema, ctx), mutationOf(fields)).map(([p, m]) => applyMutation(p as Record<string, unknown>, m));
      const how = fc.constantFrom<Emission>('ack', 'ack', 'ack', 'no-ack', 'extra-args');
      const property = fc.asyncProperty(payload, how, async (p, h) => {
        await emit(event, p, h);
        expect(socket.connected).toBe(true);
      });
      await fc.assert(property, { seed: SEED, numRuns: RUNS * 2, endOnFailure: true }).catch((error: Error) => {
        throw new Error(`${event}: ${error.message}`, { cause: error });
      });
      await aliceStaysUp(event);
      for (const id of opened) if (id !== aliceTerminal) await request(socket, 'term:close', { terminal_id: id });
      opened.clear();
    }
    await request(socket, 'gpu:unwatch', { user_id: 'alice' });
  }, 900_000);

  it('drops sockets that send undecodable packets and nothing else', async () => {
    for (const packet of ['42[', '4', '42{"a":1}', '43[1]', '42["term:open"', '42[null]', `42["x","${'y'.repeat(1_100_000)}"]`]) {
      const victim = await connectSocket(t.baseUrl, { token: t.token });
      const gone = new Promise<void>((resolve) => victim.once('disconnect', () => resolve()));
      (victim.io.engine as unknown as { write(data: string): void }).write(packet);
      await Promise.race([gone, new Promise((resolve) => setTimeout(resolve, 1_000))]);
      victim.close();
    }
    await aliceStaysUp('undecodable packets');
  });

  it('leaks no password or key to logs, the data dir or the process list', async () => {
    const secrets = new Map([
      ['SSH password', account.password],
      ['private key', account.privateKey.split('\n')[1]!],
    ]);
    expect(await sweepForSecrets({ dataDir: t.dataDir, secrets, ownerToken: t.token })).toEqual([]);
  });
});
