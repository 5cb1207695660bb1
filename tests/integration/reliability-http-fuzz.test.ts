// The reliability campaign over HTTP: for every operation in /openapi.json, fast-check requests built
// from its schema and mutated into hostile ones (types, missing and extra fields, huge and control text,
// prototype names, traversal and shell text, edge numbers, bad JSON and encodings, duplicate query keys).
// Properties: no 5xx but documented ones, every error JSON {detail}, 2xx answers match their schema, the
// bridge and alice's SSH session stay up, no marker file appears, and no secret leaks. Fixed seed
// (VIGILINK_FUZZ_SEED to change it); fast-check prints the seed and path of a failing case.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import fc from 'fast-check';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { TestBridge } from '../support/bridge.js';
import { startContainerStack, type ContainerSshStack } from '../support/container-stack.js';
import { bridgeContainers, execIn } from '../support/docker.js';
import {
  applyMutation,
  encodeText,
  authChoice,
  bodyEncoding,
  FUZZ_SESSIONS,
  FUZZ_USERS,
  fromSchema,
  hostileString,
  MARKER,
  mutationOf,
  queryString,
  type AuthChoice,
  type BodyEncoding,
  type JsonSchema,
  type SchemaContext,
} from '../support/fuzz-kit.js';
import { sweepForSecrets } from '../support/secrets-sweep.js';
import { freePort, type Sshd } from '../support/sshd.js';

const SEED = Number(process.env.VIGILINK_FUZZ_SEED ?? 20261130);
const RUNS = Number(process.env.VIGILINK_FUZZ_RUNS ?? 40);
const VPN_SECRET = 'vpn-Fuzz-Secret-7f3a';
const account = inject('testAccount');

let stack: ContainerSshStack | undefined;
let sshd: Sshd;
let t: TestBridge;
let dir: string;
let doc: { paths: Record<string, Record<string, Operation>>; components: { schemas: Record<string, JsonSchema> } };
let ctx: SchemaContext;
const deviceTokens: string[] = [];
const ajv = new Ajv2020({ strict: false, unicodeRegExp: true, validateFormats: false });

interface Parameter {
  name: string;
  in: 'query' | 'path';
  required?: boolean;
  schema: JsonSchema;
}
interface Operation {
  parameters?: Parameter[];
  requestBody?: { content: Record<string, { schema: JsonSchema }> };
  responses: Record<string, unknown>;
}
interface FuzzRequest {
  query: unknown;
  pathParams: Record<string, { value: unknown; raw: boolean }>;
  body: unknown;
  encoding: BodyEncoding;
  auth: AuthChoice;
}

beforeAll(async () => {
  // A short cooldown: fuzzed VPN connects (real=false only) make a few containers, not one per case.
  stack = await startContainerStack({ VPN_COOLDOWN_SECONDS: '30' }, account);
  ({ t, sshd } = stack);
  dir = path.join(account.home, `vl-fuzz-${process.pid}`);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'f.txt'), 'fuzz');
  execFileSync('chown', ['-R', account.username, dir]);
  fs.rmSync(MARKER, { force: true });
  doc = (await t.api('GET', '/openapi.json', undefined, { token: null })).body;
  ctx = { components: doc.components.schemas, fields: await fieldOverrides() };
}, 600_000);

afterAll(async () => {
  await stack?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
  fs.rmSync(MARKER, { force: true });
});

/** Values by field name that keep requests meaningful and on this machine (loopback only, real=false). */
async function fieldOverrides(): Promise<Map<string, fc.Arbitrary<unknown>>> {
  const closedPort = await freePort();
  return new Map<string, fc.Arbitrary<unknown>>([
    ['user_id', fc.constantFrom(...FUZZ_USERS)],
    ['session_id', fc.constantFrom(...FUZZ_SESSIONS)],
    ['hostname', fc.constantFrom('127.0.0.1', 'localhost', '::1')],
    ['port', fc.constantFrom(sshd.port, closedPort)],
    ['username', fc.constantFrom(account.username, 'nobody')],
    ['password', fc.constantFrom(account.password, VPN_SECRET, 'wrong-password')],
    ['private_key', fc.constant(account.privateKey)],
    ['vpn_url', fc.constant('127.0.0.1')],
    ['real', fc.constant(false)],
    ['auto_reconnect', fc.constant(false)],
    ['command', fc.constantFrom('true', 'echo ok', 'printf %s x', 'exit 3')],
    ['path', fc.constantFrom('.', dir, path.join(dir, 'f.txt'), '/etc/hostname', '/proc/self/status', '/dev/null', 'missing-file')],
  ]);
}

/** Hostile values for a field; `real` and host names stay safe even when mutated. */
function safeMutation(mutated: unknown): unknown {
  if (!mutated || typeof mutated !== 'object' || Array.isArray(mutated)) return mutated;
  const value = mutated as Record<string, unknown>;
  if (Object.hasOwn(value, 'real') && value.real !== false) value.real = 'no';
  for (const key of ['hostname', 'vpn_url'] as const) {
    if (typeof value[key] === 'string' && /^[A-Za-z0-9._:[\]-]+$/.test(value[key])) value[key] = '127.0.0.1';
  }
  return value;
}

function requestArb(op: Operation): fc.Arbitrary<FuzzRequest> {
  const params = op.parameters ?? [];
  const queryParams = params.filter((p) => p.in === 'query');
  const queryRecord = fc.record(Object.fromEntries(queryParams.map((p) => [p.name, fromSchema(p.schema, ctx, p.name)])), {
    requiredKeys: queryParams.filter((p) => p.required).map((p) => p.name),
  });
  const query = fc.tuple(queryRecord, mutationOf(queryParams.map((p) => p.name))).map(([q, m]) => safeMutation(applyMutation(q as Record<string, unknown>, m)));
  const pathParams = fc.record(
    Object.fromEntries(
      params
        .filter((p) => p.in === 'path')
        .map((p) => [p.name, fc.record({ value: fc.oneof(fromSchema(p.schema, ctx, p.name), hostileString(p.name)), raw: fc.boolean() })]),
    ),
  ) as fc.Arbitrary<FuzzRequest['pathParams']>;
  const bodySchema = op.requestBody?.content['application/json']?.schema;
  const body = bodySchema
    ? fc.tuple(fromSchema(bodySchema, ctx), mutationOf(bodyFields(bodySchema))).map(([b, m]) => safeMutation(applyMutation(b as Record<string, unknown>, m)))
    : fc.constant(undefined);
  return fc.record({ query, pathParams, body, encoding: bodyEncoding, auth: authChoice });
}

function bodyFields(schema: JsonSchema): string[] {
  const resolved = typeof schema.$ref === 'string' ? ctx.components[schema.$ref.split('/').pop()!]! : schema;
  const variants = ((resolved.oneOf ?? [resolved]) as JsonSchema[]).map((s) => Object.keys((s.properties ?? {}) as object));
  return [...new Set(variants.flat())];
}

function encodeBody(body: unknown, encoding: BodyEncoding): { headers: Record<string, string>; payload?: Buffer | string } {
  if (body === undefined && encoding === 'json') return { headers: {} };
  const json = JSON.stringify(body) ?? 'null';
  switch (encoding) {
    case 'json':
      return { headers: { 'content-type': 'application/json' }, payload: json };
    case 'malformed':
      return { headers: { 'content-type': 'application/json' }, payload: json.slice(0, Math.max(1, json.length - 1)) + '\\' };
    case 'gzip-lie':
      return { headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' }, payload: json };
    case 'gzip':
      return { headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' }, payload: zlib.gzipSync(json) };
    case 'text-plain':
      return { headers: { 'content-type': 'text/plain' }, payload: json };
    case 'bad-charset':
      return { headers: { 'content-type': 'application/json; charset=utf-7' }, payload: json };
    case 'oversized':
      return { headers: { 'content-type': 'application/json' }, payload: `{"pad":"${'x'.repeat(1_100_000)}"}` };
  }
}

const AUTH: Record<AuthChoice, () => string | null> = {
  owner: () => `Bearer ${t.token}`,
  none: () => null,
  garbage: () => 'Bearer not-a-token',
  huge: () => `Bearer ${'t'.repeat(8_000)}`,
};

async function send(method: string, template: string, request: FuzzRequest): Promise<{ status: number; type: string; text: string }> {
  const route = template.replace(/\{(\w+)\}/g, (_m, name: string) => {
    const param = request.pathParams[name]!;
    // raw: the text as it is (a lone '%', an undecodable escape); fetch still %-encodes what a URL cannot hold.
    return param.raw ? String(param.value) : encodeText(String(param.value));
  });
  const query = request.query === undefined ? '' : `?${queryString(request.query)}`;
  const { headers, payload } = method === 'get' || method === 'head' ? { headers: {} } : encodeBody(request.body, request.encoding);
  const authorization = AUTH[request.auth]();
  const res = await fetch(`${t.baseUrl}${route}${query}`, {
    method: method.toUpperCase(),
    headers: { ...headers, ...(authorization ? { authorization } : {}) },
    ...(payload !== undefined ? { body: payload } : {}),
    signal: AbortSignal.timeout(90_000),
  });
  const type = res.headers.get('content-type') ?? '';
  // Downloads are read only so far: the property is about the answer, not the whole file.
  const text = type.startsWith('application/octet-stream') ? (await res.body?.cancel(), '') : await res.text();
  return { status: res.status, type, text };
}

function checkAnswer(op: Operation, method: string, template: string, answer: { status: number; type: string; text: string }): void {
  const where = `${template} answered ${answer.status}: ${answer.text.slice(0, 300)}`;
  if (answer.status >= 500) expect(Object.keys(op.responses), `undocumented 5xx: ${where}`).toContain(String(answer.status));
  // A HEAD answer has no body (tus offsets): its status and headers are all it says.
  if (method === 'head') return;
  if (answer.status >= 400) {
    expect(answer.type, where).toMatch(/^application\/json/);
    expect(typeof (JSON.parse(answer.text) as { detail?: unknown }).detail, where).toBe('string');
  } else if (answer.type.startsWith('application/json')) {
    const body = JSON.parse(answer.text) as { token?: string };
    const validate = responseValidator(op, answer.status);
    if (validate) expect(validate(body), `${where}\n${JSON.stringify(validate.errors)}`).toBe(true);
    if (template === '/api/pair/claim' && typeof body.token === 'string') deviceTokens.push(body.token);
  }
}

const validators = new Map<string, ValidateFunction | null>();

/** The documented answer's schema, compiled once per operation and status (null: none documented). */
function responseValidator(op: Operation, status: number): ValidateFunction | null {
  const key = `${JSON.stringify(op.responses[String(status)] ?? null)}`;
  if (!validators.has(key)) {
    const schema = (op.responses[String(status)] as { content?: Record<string, { schema: JsonSchema }> } | undefined)?.content?.['application/json']?.schema;
    validators.set(key, schema ? ajv.compile({ ...schema, components: doc.components }) : null);
  }
  return validators.get(key)!;
}

async function aliceStaysUp(): Promise<void> {
  expect((await t.api('GET', '/healthz', undefined, { token: null })).status).toBe(200);
  const status = await t.api('GET', '/ssh/status?user_id=alice');
  expect(status.body.sessions, 'alice\'s session must stay up').toMatchObject([{ session_id: 'default', active: true }]);
  expect((await t.api('POST', '/api/terminal/bastion/run', { user_id: 'alice', command: 'echo up' })).body.stdout).toBe('up\n');
}

describe('HTTP fuzz from /openapi.json', () => {
  it('covers every operation of the document', () => {
    expect(Object.keys(doc.paths).length).toBeGreaterThan(20);
  });

  it('checks 2xx answers against the schemas the document gives them', async () => {
    const status = doc.paths['/ssh/status']!.get!;
    const validate = responseValidator(status, 200)!;
    expect(validate((await t.api('GET', '/ssh/status?user_id=alice')).body)).toBe(true);
    expect(validate({ connected: 'yes' })).toBe(false);
  });

  // One property per operation, found at run time (the document is the list); a describe-time list
  // would need the document before the bridge exists.
  it('keeps every operation to its contract under hostile requests', async () => {
    for (const [template, operations] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(operations)) {
        const runs = template === '/ssh/connect' ? Math.ceil(RUNS / 2) : RUNS;
        const property = fc.asyncProperty(requestArb(op), async (request) => {
          checkAnswer(op, method, template, await send(method, template, request));
          expect((await t.api('GET', '/healthz', undefined, { token: null })).status).toBe(200);
        });
        await fc.assert(property, { seed: SEED, numRuns: runs, endOnFailure: true }).catch((error: Error) => {
          throw new Error(`${method.toUpperCase()} ${template}: ${error.message}`, { cause: error });
        });
        await aliceStaysUp();
      }
    }
  }, 900_000);

  it('made no marker file: shell text in any field but command never ran', async () => {
    expect(fs.existsSync(MARKER)).toBe(false);
    for (const container of await bridgeContainers(t.dataDir)) {
      expect(await execIn(container.id, ['sh', '-c', `test -e ${MARKER} && echo found || echo none`])).toBe('none\n');
    }
  });

  it('leaks no password, key or token to logs, the data dir, docker inspect or the process list', async () => {
    // The sweep itself must see a secret where one is.
    const canary = path.join(t.dataDir, 'canary.txt');
    fs.writeFileSync(canary, 'left here: canary-Secret-0042');
    expect(await sweepForSecrets({ dataDir: t.dataDir, secrets: new Map([['canary', 'canary-Secret-0042']]), ownerToken: t.token })).toEqual(['canary in file canary.txt']);
    fs.rmSync(canary);
    const keyBody = account.privateKey.split('\n')[1]!;
    const secrets = new Map<string, string>([
      ['SSH password', account.password],
      ['VPN password', VPN_SECRET],
      ['private key', keyBody],
      ...deviceTokens.map((token, i): [string, string] => [`device token ${i}`, token]),
    ]);
    expect(await sweepForSecrets({ dataDir: t.dataDir, secrets, ownerToken: t.token })).toEqual([]);
  });
});
