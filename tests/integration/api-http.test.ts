// The HTTP surface as a whole: health, OpenAPI and docs without a token, 401 on every other operation
// of the OpenAPI document, 404/400/413 as JSON, validation naming the field, request ids, CORS.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { EndpointSpec } from '../../bridge/contracts/endpoint.js';
import { endpoints } from '../../bridge/contracts/endpoints.js';
import { openApiPath } from '../../bridge/transport/openapi.js';
import { startBridge, type TestBridge } from '../support/bridge.js';
import { eventually } from '../support/eventually.js';
import { freePort } from '../support/sshd.js';
import { logLines } from '../support/ssh-test-kit.js';

const account = inject('testAccount');
const PHONE_ORIGIN = 'http://phone.example:5173';
let t: TestBridge;

// Operations that may go without a token (besides /openapi.json and /docs, which are not in the document).
// Adding one here is a deliberate security decision.
const PUBLIC_OPERATIONS = new Set([
  'get /healthz',
  // A phone trades a one-time pairing code for its device token: it has no token yet (pairing issue).
  'post /api/pair/claim',
  // The owner trades the one-time nonce of a sign-in link for an owner session: no token yet (issue 10, item 8).
  'post /api/auth/signin',
  // What the LAN listener serves (mode, CA fingerprint, insecure flag): no user, nothing secret; /trust shows it too.
  'get /api/tls',
]);

beforeAll(async () => {
  t = await startBridge({ VIGILINK_CORS_ORIGINS: `${PHONE_ORIGIN},https://other.example` });
});
afterAll(async () => {
  await t?.close();
});

describe('public routes', () => {
  it('GET /healthz answers without a token', async () => {
    const res = await t.api('GET', '/healthz', undefined, { token: null });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok' });
  });

  it('GET /openapi.json is OpenAPI 3.1 with the SSH, command and file operations', async () => {
    const res = await t.api('GET', '/openapi.json', undefined, { token: null });
    expect(res.status).toBe(200);
    expect(res.body.openapi).toBe('3.1.0');
    for (const [p, method] of <Array<[string, string]>>[
      ['/healthz', 'get'],
      ['/ssh/connect', 'post'],
      ['/ssh/status', 'get'],
      ['/ssh/disconnect', 'post'],
      ['/api/terminal/bastion/run', 'post'],
      ['/api/fs/list', 'get'],
      ['/api/fs/read', 'get'],
      ['/api/fs/download', 'get'],
    ]) {
      expect(res.body.paths[p]?.[method], `${method} ${p}`).toBeDefined();
    }
    const connect = res.body.paths['/ssh/connect'].post;
    expect(Object.keys(connect.responses)).toEqual(expect.arrayContaining(['200', '400', '401', '409', '502']));
    expect(res.body.paths['/api/fs/download'].get.responses['416']).toBeDefined();
    expect(res.body.components.schemas.SshConnectRequest.required).toEqual(expect.arrayContaining(['hostname', 'username']));
  });

  it('GET /docs serves the interactive page and its assets locally', async () => {
    const page = await fetch(`${t.baseUrl}/docs`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await page.text()).toContain('/docs/assets/swagger-ui-bundle.js');
    for (const asset of ['/docs/assets/swagger-ui-bundle.js', '/docs/assets/swagger-ui.css', '/docs/init.js']) {
      expect((await fetch(t.baseUrl + asset)).status, asset).toBe(200);
    }
  });
});

describe('the endpoint table', () => {
  it('lists exactly the operations of the OpenAPI document (the renderer calls only what the bridge serves)', async () => {
    const doc = (await t.api('GET', '/openapi.json', undefined, { token: null })).body;
    const served = Object.entries(doc.paths as Record<string, Record<string, unknown>>).flatMap(([p, methods]) => Object.keys(methods).map((method) => `${method} ${p}`));
    const table = Object.values(endpoints).flatMap((group) => Object.values(group).map((e: EndpointSpec) => `${e.method} ${openApiPath(e.path)}`));
    expect(new Set(table).size).toBe(table.length);
    expect([...table].sort()).toEqual([...served].sort());
  });
});

describe('401 on every operation of the OpenAPI document', () => {
  it('refuses a missing, a wrong and a malformed token on every non-public operation', async () => {
    const doc = (await t.api('GET', '/openapi.json', undefined, { token: null })).body;
    const operations = Object.entries(doc.paths as Record<string, Record<string, { security?: unknown[] }>>).flatMap(([p, methods]) =>
      Object.entries(methods).map(([method, op]) => ({ method, path: p, op })),
    );
    expect(operations.length).toBeGreaterThanOrEqual(8);
    let checked = 0;
    for (const { method, path: p, op } of operations) {
      const key = `${method} ${p}`;
      if (PUBLIC_OPERATIONS.has(key)) {
        expect(op.security, key).toEqual([]);
        continue;
      }
      // Path parameters get a placeholder: the token is checked before anything else.
      const url = p.replace(/\{[^}]+\}/g, 'x');
      for (const headers of <Array<Record<string, string>>>[{}, { authorization: 'Bearer wrong-token' }, { authorization: t.token }, { authorization: `Basic ${t.token}` }]) {
        const res = await fetch(t.baseUrl + url, {
          method: method.toUpperCase(),
          headers: { ...headers, 'content-type': 'application/json' },
          ...(method === 'get' || method === 'head' ? {} : { body: '{}' }),
        });
        expect(res.status, `${key} with ${JSON.stringify(headers).replace(t.token, '<token>')}`).toBe(401);
        // A HEAD answer (tus's upload offset) has no body: its status must do.
        if (method === 'head') continue;
        const body = (await res.json()) as { detail: string };
        expect(body.detail).toMatch(/token/i);
      }
      checked++;
    }
    expect(checked).toBe(operations.length - operations.filter((o) => PUBLIC_OPERATIONS.has(`${o.method} ${o.path}`)).length);
  });
});

describe('errors are JSON with a detail', () => {
  it('answers 404 for an unknown route (with or without a token)', async () => {
    for (const token of [undefined, null]) {
      const res = await t.api('GET', '/no/such/route', undefined, { token });
      expect(res.status).toBe(404);
      expect(res.body).toEqual({ detail: 'Not found: GET /no/such/route' });
    }
    expect((await t.api('DELETE', '/ssh/status')).status).toBe(404);
  });

  it('answers 400 for malformed JSON', async () => {
    const res = await t.api('POST', '/ssh/connect', '{"user_id": "alice",');
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ detail: 'Malformed JSON body' });
  });

  it('answers 413 for a body over 1 MiB', async () => {
    const res = await t.api('POST', '/api/terminal/bastion/run', { user_id: 'alice', command: 'x'.repeat(1024 * 1024 + 1) });
    expect(res.status).toBe(413);
    expect(res.body.detail).toMatch(/^Request body over 1048576 bytes/);
  });

  it.each([
    ['missing fields', 'POST', '/ssh/connect', { user_id: 'alice' }, /hostname: Required.*username: Required/],
    ['a bad port', 'POST', '/ssh/connect', { user_id: 'alice', hostname: 'h', username: 'u', password: 'p', port: 70000 }, /^port: /],
    ['a hostname with spaces', 'POST', '/ssh/connect', { user_id: 'alice', hostname: 'a b', username: 'u', password: 'p' }, /^hostname: /],
    ['a bad user_id', 'POST', '/ssh/connect', { user_id: '../etc', hostname: 'h', username: 'u', password: 'p' }, /^user_id: /],
    ['a jump host without hostname', 'POST', '/ssh/connect', { user_id: 'a', hostname: 'h', username: 'u', password: 'p', jump: { username: 'u' } }, /^jump\.hostname: Required/],
    ['a body that is an array', 'POST', '/api/terminal/bastion/run', [], /^body: /],
    ['a body that is null', 'POST', '/api/terminal/bastion/run', 'null', /command: Required/],
    ['a bad session_id in the query', 'POST', '/ssh/connect?session_id=a%20b', { user_id: 'a', hostname: 'h', username: 'u', password: 'p' }, /^session_id: /],
    ['a repeated query parameter', 'GET', '/api/fs/list?user_id=a&user_id=b', undefined, /^user_id: /],
    ['no user_id for the owner', 'GET', '/ssh/status', undefined, /^user_id: Required$/],
  ])('answers 400 naming the field for %s', async (_what, method, route, body, detail) => {
    const res = await t.api(method, route, body);
    expect(res.status).toBe(400);
    expect(res.body.detail).toMatch(detail);
  });

  it('never leaks a password into an error', async () => {
    const res = await t.api('POST', '/ssh/connect', { user_id: 'alice', hostname: 'bad host', username: 'u', password: 'hunter2-secret' });
    expect(JSON.stringify(res.body)).not.toContain('hunter2-secret');
  });
});

describe('request ids', () => {
  it('echoes an incoming X-Request-ID and puts it on every log line of that request', async () => {
    const port = await freePort();
    const res = await t.api(
      'POST',
      '/ssh/connect?session_id=r',
      { user_id: 'alice', hostname: '127.0.0.1', port, username: account.username, password: account.password },
      { headers: { 'x-request-id': 'phone-req-42' } },
    );
    expect(res.status).toBe(502);
    expect(res.headers.get('x-request-id')).toBe('phone-req-42');
    const lines = await eventually('the request\'s log lines', () => {
      const ours = logLines(t).filter((l) => l.request_id === 'phone-req-42');
      return ours.some((l) => l.msg === 'request') && ours;
    });
    expect(lines.map((l) => l.msg)).toEqual(expect.arrayContaining(['ssh connect failed', 'request']));
    expect(lines.find((l) => l.msg === 'request')).toMatchObject({ method: 'POST', path: '/ssh/connect', status: 502 });
    // The password never reaches the log, under any key.
    expect(JSON.stringify(logLines(t))).not.toContain(account.password);
  });

  it('makes one up when none (or a malformed one) comes in', async () => {
    const fresh = await t.api('GET', '/healthz');
    expect(fresh.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    const hostile = await t.api('GET', '/healthz', undefined, { headers: { 'x-request-id': 'bad id with spaces' } });
    expect(hostile.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe('CORS', () => {
  it('echoes an allowed origin, never "*"', async () => {
    const res = await fetch(`${t.baseUrl}/healthz`, { headers: { origin: PHONE_ORIGIN } });
    expect(res.headers.get('access-control-allow-origin')).toBe(PHONE_ORIGIN);
    expect(res.headers.get('access-control-expose-headers')).toContain('X-Request-ID');
    expect(res.headers.get('vary')).toContain('Origin');
  });

  it('answers a preflight from an allowed origin', async () => {
    const res = await fetch(`${t.baseUrl}/ssh/connect`, {
      method: 'OPTIONS',
      headers: { origin: PHONE_ORIGIN, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type' },
    });
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe(PHONE_ORIGIN);
    expect(res.headers.get('access-control-allow-headers')).toMatch(/Authorization/);
    expect(res.headers.get('access-control-allow-methods')).toMatch(/POST/);
  });

  it('gives other origins no CORS header at all', async () => {
    for (const origin of ['http://evil.example', 'http://phone.example:5174', 'null']) {
      const res = await fetch(`${t.baseUrl}/healthz`, { headers: { origin } });
      expect(res.headers.get('access-control-allow-origin'), origin).toBeNull();
      const preflight = await fetch(`${t.baseUrl}/ssh/connect`, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'POST' } });
      expect(preflight.headers.get('access-control-allow-origin'), origin).toBeNull();
    }
  });

  it('needs no header for the same origin', async () => {
    const res = await fetch(`${t.baseUrl}/healthz`, { headers: { origin: t.baseUrl } });
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
  });
});
