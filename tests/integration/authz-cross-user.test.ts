// Per-user authorization everywhere: walk every operation of the runtime /openapi.json, and every
// client socket event, as a device of user alice naming user bob (or bob's resources) where the operation
// declares a user and in every other place (query, body, nested body, path, socket payload): all must be 403.
// Requests are generated from the published schemas, so routes and events added later are covered too.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { z } from 'zod';
import { CLIENT_EVENT_PAYLOADS, type UserState } from '../../bridge/contracts/socket.js';
import { startBridge, type TestBridge } from '../support/bridge.js';
import { connectSocket, pairDevice, request, type ClientSocket, type PairedDevice } from '../support/live-client.js';
import { startSshd, type Sshd } from '../support/sshd.js';

const account = inject('testAccount');
const VICTIM = 'bob';
const OWN = 'alice';
/** What a 403 must say: the cross-user refusal, or an owner-only operation refusing any device. */
const FORBIDDEN_DETAIL = new RegExp(`may not act for '${VICTIM}'|Only the owner of this bridge`);

let sshd: Sshd;
let t: TestBridge;
let alice: PairedDevice;
let bobDevice: PairedDevice;
let owner: ClientSocket;
let aliceSocket: ClientSocket;
let bobTerminalId: string;
let bobUploadId: string;
const aliceSaw: { states: UserState[]; termData: unknown[] } = { states: [], termData: [] };

beforeAll(async () => {
  sshd = await startSshd();
  t = await startBridge();
  alice = await pairDevice(t, 'alice', 'alice phone');
  bobDevice = await pairDevice(t, VICTIM, 'bob phone');
  const connect = await t.api('POST', '/ssh/connect?session_id=default', {
    user_id: VICTIM,
    hostname: '127.0.0.1',
    port: sshd.port,
    username: account.username,
    password: account.password,
  });
  expect(connect.status).toBe(200);
  const upload = await t.api('POST', `/api/fs/uploads?user_id=${VICTIM}&path=${encodeURIComponent(`vl-authz-upload-${process.pid}`)}`, undefined, {
    headers: { 'tus-resumable': '1.0.0', 'upload-length': '10' },
  });
  expect(upload.status).toBe(201);
  bobUploadId = String(upload.headers.get('location')).split('/').pop()!;
  owner = await connectSocket(t.baseUrl, { token: t.token });
  const opened = await request(owner, 'term:open', { user_id: VICTIM, cols: 80, rows: 24 });
  expect(opened.ok).toBe(true);
  bobTerminalId = opened.ok ? opened.data.terminal_id : '';
  aliceSocket = await connectSocket(t.baseUrl, { token: alice.token, user_id: VICTIM }, (socket) => {
    socket.on('state', (state) => aliceSaw.states.push(state));
    socket.on('term:data', (payload) => aliceSaw.termData.push(payload));
  });
});
afterAll(async () => {
  if (bobUploadId) await t.api('DELETE', `/api/fs/uploads/${bobUploadId}`);
  owner?.close();
  aliceSocket?.close();
  await t?.close();
  await sshd?.stop();
});

// ---- values from JSON Schema: the smallest valid instance, with bob wherever a user can be named ----

type JsonSchema = Record<string, any>;

function resolve(schema: JsonSchema, doc: JsonSchema): JsonSchema {
  let current = schema;
  while (current?.$ref) current = current.$ref.split('/').slice(1).reduce((node: JsonSchema, key: string) => node[key], doc);
  return current ?? {};
}

function exampleString(schema: JsonSchema): string {
  const formats: Record<string, string> = { ipv4: '127.0.0.1', uri: 'https://example.com', url: 'https://example.com', email: 'a@example.com', 'date-time': new Date().toISOString(), uuid: '00000000-0000-4000-8000-000000000000' };
  const candidates = [formats[schema.format] ?? 'a', 'a1', 'abc', '1', 'a.b', 'example.com', 'x'.repeat(Math.max(1, schema.minLength ?? 1))];
  const fits = (s: string) =>
    s.length >= (schema.minLength ?? 0) && s.length <= (schema.maxLength ?? Infinity) && (!schema.pattern || new RegExp(schema.pattern, 'u').test(s));
  return candidates.find(fits) ?? 'a'.repeat(Math.max(1, schema.minLength ?? 1));
}

function example(raw: JsonSchema, doc: JsonSchema, overrides: Record<string, unknown>): unknown {
  const schema = resolve(raw, doc);
  if ('const' in schema) return schema.const;
  if (schema.enum) return schema.enum[0];
  const union = schema.anyOf ?? schema.oneOf;
  if (union) return example(union.find((s: JsonSchema) => resolve(s, doc).type !== 'null') ?? union[0], doc, overrides);
  if (schema.allOf) return example(schema.allOf[0], doc, overrides);
  const type = Array.isArray(schema.type) ? schema.type.find((x: string) => x !== 'null') : schema.type;
  switch (type) {
    case 'string':
      return exampleString(schema);
    case 'integer':
    case 'number':
      return schema.minimum ?? (schema.exclusiveMinimum !== undefined ? schema.exclusiveMinimum + 1 : Math.min(1, schema.maximum ?? 1));
    case 'boolean':
      return false;
    case 'array':
      return Array.from({ length: schema.minItems ?? 0 }, () => example(schema.items ?? {}, doc, overrides));
    default: {
      const properties: Record<string, JsonSchema> = schema.properties ?? {};
      const value: Record<string, unknown> = {};
      for (const [key, sub] of Object.entries(properties)) {
        if (key in overrides) value[key] = overrides[key];
        else if ((schema.required ?? []).includes(key)) value[key] = example(sub, doc, overrides);
      }
      return value;
    }
  }
}

interface Operation {
  method: string;
  path: string;
  url: string;
  body: unknown;
}

/** Where bob is named: where the operation declares user_id, or one place it may not read at all. */
type Place = 'declared' | 'query' | 'body' | 'nested body' | 'path';

/** Path parameters that name a resource rather than a user: bob's, so naming them is naming bob. */
const VICTIM_RESOURCES = new Map([
  ['/api/devices/{id}', () => bobDevice.deviceId],
  ['/api/fs/uploads/{id}', () => bobUploadId],
]);
const resourceOfVictim = (path: string, name: string): string | undefined => (name === 'id' ? VICTIM_RESOURCES.get(path)?.() : undefined);

/** A well-formed id for a path parameter that names nothing of bob's (Slurm job ids are checked for shape). */
const placeholderFor = (path: string): string => (path.startsWith('/api/slurm/jobs/{id}') ? '1' : 'x');

/** Bob's id or resource in every declared place, or only a valid request with bob added in one `place`. */
function operationFor(doc: JsonSchema, path: string, method: string, op: JsonSchema, place: Place): Operation | null {
  const declared = place === 'declared';
  const params: JsonSchema[] = op.parameters ?? [];
  const pathParams = params.filter((p) => p.in === 'path');
  // The path place: a path parameter that is a user id or one of bob's resources (none other names bob).
  if (place === 'path' && !pathParams.some((p) => p.name === 'user_id' || resourceOfVictim(path, p.name))) return null;
  const query = new URLSearchParams();
  let url = path;
  for (const param of params) {
    const value =
      param.name === 'user_id'
        ? declared || (place === 'path' && param.in === 'path') ? VICTIM : param.required ? OWN : undefined
        : param.in === 'path'
          ? place === 'declared' || place === 'path' ? (resourceOfVictim(path, param.name) ?? placeholderFor(path)) : placeholderFor(path)
          : param.required ? example(param.schema, doc, {}) : undefined;
    if (value === undefined) continue;
    if (param.in === 'path') url = url.replace(`{${param.name}}`, encodeURIComponent(String(value)));
    else if (param.in === 'query') query.set(param.name, String(value));
  }
  if (place === 'query') query.set('user_id', VICTIM);
  const bodySchema = op.requestBody?.content?.['application/json']?.schema;
  // Elsewhere the declared user_id names alice herself, which is allowed: only the added place names bob.
  let body = bodySchema ? example(bodySchema, doc, { user_id: declared ? VICTIM : OWN }) : undefined;
  if (place === 'body' || place === 'nested body') {
    // fetch sends no body with GET: those operations are walked with bob in the query instead.
    if (method === 'get' || method === 'head') return null;
    const named = place === 'body' ? { user_id: VICTIM } : { options: [{ user_id: VICTIM }] };
    body = { ...(body as Record<string, unknown> | undefined), ...named };
  }
  return { method: method.toUpperCase(), path, url: query.size ? `${url}?${query}` : url, body };
}

function operations(doc: JsonSchema, place: Place): Operation[] {
  const found: Operation[] = [];
  for (const [path, item] of Object.entries<JsonSchema>(doc.paths)) {
    for (const [method, op] of Object.entries<JsonSchema>(item)) {
      if (Array.isArray(op.security) && op.security.length === 0) continue; // no token at all: nobody to be
      const operation = operationFor(doc, path, method, op, place);
      if (operation) found.push(operation);
    }
  }
  return found;
}

async function refusedOperations(ops: Operation[]): Promise<string[]> {
  const wrong: string[] = [];
  for (const op of ops) {
    const res = await t.api(op.method, op.url, op.body, { token: alice.token });
    // A HEAD answer has no body to say why: its status must do.
    if (res.status !== 403 || (op.method !== 'HEAD' && !FORBIDDEN_DETAIL.test(String(res.body?.detail)))) {
      wrong.push(`${op.method} ${op.url} ${JSON.stringify(op.body)} -> ${res.status} ${JSON.stringify(res.body).slice(0, 200)}`);
    }
  }
  return wrong;
}

describe('REST: every operation of /openapi.json', () => {
  it('answers 403 to a device of alice that names bob or bob’s resources', async () => {
    const doc = (await t.api('GET', '/openapi.json', undefined, { token: null })).body;
    const ops = operations(doc, 'declared');
    // Not vacuous: the walk reaches the operations this issue and the earlier ones define.
    const covered = ops.map((o) => `${o.method} ${o.path}`);
    for (const known of ['POST /ssh/connect', 'GET /ssh/status', 'POST /api/terminal/bastion/run', 'GET /api/fs/read', 'GET /api/devices', 'DELETE /api/devices/{id}', 'POST /api/pair/offer', 'GET /api/audit']) {
      expect(covered).toContain(known);
    }
    const wrong = await refusedOperations(ops);
    // A per-user operation must take user_id (query or body) and resolve it with ctx.userId before acting;
    // one that names no user must be auth: 'owner'.
    expect(wrong, `operations a device of alice could use against bob:\n${wrong.join('\n')}`).toEqual([]);
  });

  it.each<Place>(['query', 'body', 'nested body', 'path'])(
    'answers 403 to a device of alice that names bob in the %s, even where the operation reads no user_id',
    async (place) => {
      const doc = (await t.api('GET', '/openapi.json', undefined, { token: null })).body;
      const ops = operations(doc, place);
      expect(ops.length).toBeGreaterThan(0);
      if (place === 'query') expect(ops.map((o) => `${o.method} ${o.path}`)).toContain('POST /api/terminal/bastion/run');
      const wrong = await refusedOperations(ops);
      expect(wrong, `operations that did not refuse bob in the ${place}:\n${wrong.join('\n')}`).toEqual([]);
    },
  );

  it('left bob’s resources alone', async () => {
    const devices = await t.api('GET', `/api/devices?user_id=${VICTIM}`);
    expect(devices.body.devices.map((d: { id: string }) => d.id)).toContain(bobDevice.deviceId);
    const status = await t.api('GET', `/ssh/status?user_id=${VICTIM}`);
    expect(status.body.sessions).toEqual([expect.objectContaining({ session_id: 'default', active: true })]);
  });
});

describe('socket.io: every client event', () => {
  it('acks 403 to a device of alice that names bob or bob’s terminal', async () => {
    const wrong: string[] = [];
    for (const [event, schema] of Object.entries(CLIENT_EVENT_PAYLOADS)) {
      const jsonSchema = z.toJSONSchema(schema as z.ZodType, { io: 'input' }) as JsonSchema;
      const payload = example(jsonSchema, jsonSchema, { user_id: VICTIM, terminal_id: bobTerminalId });
      const ack = await request(aliceSocket, event as keyof typeof CLIENT_EVENT_PAYLOADS, payload);
      if (ack.ok || ack.error.status !== 403 || !FORBIDDEN_DETAIL.test(ack.error.detail)) {
        wrong.push(`${event} ${JSON.stringify(payload)} -> ${JSON.stringify(ack)}`);
      }
    }
    expect(wrong, `socket events a device of alice could use against bob:\n${wrong.join('\n')}`).toEqual([]);
  });

  it.each([
    ['the payload', { user_id: VICTIM }],
    ['a nested object of the payload', { extra: { list: [{ user_id: VICTIM }] } }],
  ])('acks 403 to a device of alice that names bob in %s, even where the event reads no user_id', async (_where, named) => {
    const wrong: string[] = [];
    for (const [event, schema] of Object.entries(CLIENT_EVENT_PAYLOADS)) {
      const jsonSchema = z.toJSONSchema(schema as z.ZodType, { io: 'input' }) as JsonSchema;
      const payload = { ...(example(jsonSchema, jsonSchema, { user_id: OWN }) as Record<string, unknown>), ...named };
      const ack = await request(aliceSocket, event as keyof typeof CLIENT_EVENT_PAYLOADS, payload);
      if (ack.ok || ack.error.status !== 403 || !FORBIDDEN_DETAIL.test(ack.error.detail)) {
        wrong.push(`${event} ${JSON.stringify(payload)} -> ${JSON.stringify(ack)}`);
      }
    }
    expect(wrong, `socket events that did not refuse bob:\n${wrong.join('\n')}`).toEqual([]);
  });

  it('never sent alice bob’s state or terminal output (a device’s handshake user_id is ignored)', async () => {
    // The owner's socket still has bob's terminal; make it print, and give bob's state a reason to change.
    await request(owner, 'term:input', { terminal_id: bobTerminalId, data: 'echo for-bob-only\r' });
    await t.api('POST', '/api/pair/offer', { user_id: VICTIM }).then(() => pairDevice(t, VICTIM, 'bob tablet'));
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(aliceSaw.termData).toEqual([]);
    expect(aliceSaw.states.length).toBeGreaterThan(0);
    for (const state of aliceSaw.states) expect(state.user_id).toBe('alice');
  });
});
