// Issue 12's defects, one request each, against a real sshd, Docker and the bridge's real HTTP server:
// NUL in SSH request text, Object.prototype names as ids, malformed bodies and paths, empty files from a
// container, oversized request heads, unseekable offsets, and OpenAPI patterns that are valid regexes.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import zlib from 'node:zlib';
import { Validator } from '@seriousme/openapi-schema-validator';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { TestBridge } from '../support/bridge.js';
import { startContainerStack, type ContainerSshStack } from '../support/container-stack.js';
import { bridgeContainers } from '../support/docker.js';
import type { Sshd } from '../support/sshd.js';
import { connectBody } from '../support/ssh-test-kit.js';
import { eventually } from '../support/eventually.js';

const account = inject('testAccount');
let stack: ContainerSshStack | undefined;
let sshd: Sshd;
let t: TestBridge;
let dir: string;

const run = (body: Record<string, unknown>) => t.api('POST', '/api/terminal/bastion/run', { user_id: 'alice', ...body });
const statusOf = async (userId: string) => (await t.api('GET', `/ssh/status?user_id=${userId}`)).body;

beforeAll(async () => {
  stack = await startContainerStack({ VPN_COOLDOWN_SECONDS: '0' }, account);
  ({ t, sshd } = stack);
  dir = path.join(account.home, `vl-reliab-${process.pid}`);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'f.txt'), 'hello');
  execFileSync('chown', ['-R', account.username, dir]);
}, 600_000);

afterAll(async () => {
  await stack?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe('1. text OpenSSH cannot take never reaches the connection', () => {
  it('refuses a NUL in a command with 400, while a running command and the session carry on', async () => {
    const running = run({ command: 'sleep 1; echo still-here' });
    const refused = await run({ command: 'echo a\u0000b' });
    expect(refused.status).toBe(400);
    expect(refused.body.detail).toMatch(/command: must not contain NUL/);
    expect((await running).body).toMatchObject({ stdout: 'still-here\n', exit_code: 0 });
    expect((await statusOf('alice')).sessions).toMatchObject([{ session_id: 'default', active: true }]);
    expect((await run({ command: 'echo after' })).body.stdout).toBe('after\n');
  });

  it('refuses a command past 100,000 bytes of UTF-8 (a packet sshd drops the connection for) with 400', async () => {
    const refused = await run({ command: `echo ${'€'.repeat(90_000)}` });
    expect(refused.status).toBe(400);
    expect(refused.body.detail).toMatch(/command: must be at most 100000 bytes of UTF-8/);
    expect((await statusOf('alice')).sessions).toMatchObject([{ session_id: 'default', active: true }]);
    const longest = await run({ command: `echo ${'a'.repeat(99_990)}` });
    expect(longest.body.stdout).toHaveLength(99_991);
  });

  it('refuses a NUL in a user name or password with 400 before connecting', async () => {
    const before = sshd.connectionCount();
    for (const extra of [{ username: 'vl\u0000test' }, { password: 'pw\u0000' }, { jump: { hostname: '127.0.0.1', username: 'a\u0000', password: 'x' } }]) {
      const res = await t.api('POST', '/ssh/connect?session_id=nul', connectBody(sshd, account, extra));
      expect(res.status).toBe(400);
      expect(res.body.detail).toMatch(/must not contain NUL/);
    }
    expect(sshd.connectionCount()).toBe(before);
  });
});

describe('2. ids named like Object.prototype members are ordinary ids', () => {
  for (const userId of ['constructor', 'toString', 'valueOf', 'hasOwnProperty']) {
    it(`keeps ${userId}'s SSH session (also named ${userId}) and VPN container in state, and removes them`, async () => {
      const connected = await t.api('POST', `/ssh/connect?session_id=${userId}`, connectBody(sshd, account, { user_id: userId }));
      expect(connected.status).toBe(200);
      const sessions = await eventually(`${userId} in conns.json`, () => {
        const conns = JSON.parse(fs.readFileSync(path.join(t.dataDir, 'conns.json'), 'utf8'));
        return Object.hasOwn(conns.users, userId) ? Object.keys(conns.users[userId].sessions) : null;
      });
      expect(sessions).toEqual([userId]);
      const vpn = await t.api('POST', '/vpn/connect', { user_id: userId, real: false });
      expect(vpn.status).toBe(200);
      expect((await bridgeContainers(t.dataDir)).filter((c) => c.labels['vigilink.user'] === userId)).toHaveLength(1);
      expect((await t.api('POST', `/vpn/disconnect?user_id=${userId}`)).status).toBe(200);
      expect((await bridgeContainers(t.dataDir)).filter((c) => c.labels['vigilink.user'] === userId)).toHaveLength(0);
      expect((await t.api('POST', `/ssh/disconnect?user_id=${userId}&session_id=${userId}`)).status).toBe(200);
      expect((await statusOf(userId)).sessions).toEqual([]);
      expect(({} as Record<string, unknown>).sessions).toBeUndefined();
    }, 120_000);
  }
});

describe('3. malformed bodies and paths are 4xx JSON', () => {
  it('answers 400 JSON for a body that says gzip and is not', async () => {
    const res = await t.api('POST', '/api/terminal/bastion/run', '{"user_id":"alice","command":"true"}', { headers: { 'content-encoding': 'gzip' } });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ detail: expect.stringMatching(/Content-Encoding/) });
  });

  it('still takes a real gzip body', async () => {
    const body = zlib.gzipSync(JSON.stringify({ user_id: 'alice', command: 'echo zipped' }));
    const res = await fetch(`${t.baseUrl}/api/terminal/bastion/run`, {
      method: 'POST',
      headers: { authorization: `Bearer ${t.token}`, 'content-type': 'application/json', 'content-encoding': 'gzip' },
      body,
    });
    expect(await res.json()).toMatchObject({ stdout: 'zipped\n' });
  });

  it('answers 400 JSON for undecodable %-escapes in path parameters', async () => {
    for (const [method, route] of [['DELETE', '/api/devices/%E0%A4%A'], ['DELETE', '/api/gpu/alerts/rules/%']]) {
      const res = await t.api(method!, route!);
      expect(res.status).toBe(400);
      expect(res.body).toEqual({ detail: 'Malformed percent-encoding in the request path' });
    }
  });
});

describe('4. empty files download from the VPN container', () => {
  it('streams /dev/null and an empty file as 200 with no bytes, and the bridge answers on', async () => {
    expect((await t.api('POST', '/vpn/connect', { user_id: 'carol', real: false })).status).toBe(200);
    expect((await run({ user_id: 'carol', command: 'touch /tmp/empty' })).body.exit_code).toBe(0);
    for (const file of ['/dev/null', '/tmp/empty']) {
      const res = await fetch(`${t.baseUrl}/api/fs/download?user_id=carol&path=${file}`, { headers: { authorization: `Bearer ${t.token}` } });
      expect(res.status).toBe(200);
      expect((await res.arrayBuffer()).byteLength).toBe(0);
    }
    expect((await t.api('GET', '/healthz', undefined, { token: null })).status).toBe(200);
  }, 120_000);
});

describe('5. oversized request heads', () => {
  it('answers a head over 16 KB with a JSON 431', async () => {
    const answer = await rawRequest(`GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`);
    expect(answer).toMatch(/^HTTP\/1\.1 431 /);
    expect(answer).toMatch(/content-type: application\/json/i);
    expect(JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4))).toEqual({ detail: expect.stringMatching(/16 KB/) });
  });

  it('answers a malformed request line with a JSON 400', async () => {
    const answer = await rawRequest('NOT HTTP AT ALL\r\n\r\n');
    expect(answer).toMatch(/^HTTP\/1\.1 400 /);
    expect(JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4))).toEqual({ detail: 'Malformed HTTP request' });
  });
});

describe('6. offsets and lengths SFTP cannot take', () => {
  it('answers the largest offset (with the default length) with 400, not a 502', async () => {
    const res = await t.api('GET', `/api/fs/read?user_id=alice&path=${encodeURIComponent(path.join(dir, 'f.txt'))}&offset=9007199254740991`);
    expect(res.status).toBe(400);
    expect(res.body.detail).toMatch(/^offset: offset \+ length must be at most 2\^53 - 1/);
  });

  it('answers a huge offset past the end of a file with an empty end of file, over SSH and in a container', async () => {
    const ssh = await t.api('GET', `/api/fs/read?user_id=alice&path=${encodeURIComponent(path.join(dir, 'f.txt'))}&offset=9007199254740000&length=10`);
    expect(ssh.status).toBe(200);
    expect(ssh.body).toMatchObject({ data: '', eof: true, size: 5 });
    expect((await t.api('POST', '/vpn/connect', { user_id: 'carol', real: false })).status).toBe(200);
    expect((await run({ user_id: 'carol', command: 'printf hello > /tmp/f5' })).body.exit_code).toBe(0);
    const container = await t.api('GET', '/api/fs/read?user_id=carol&path=/tmp/f5&offset=9007199254740000&length=10');
    expect(container.status).toBe(200);
    expect(container.body).toMatchObject({ data: '', eof: true, size: 5 });
    const proc = await t.api('GET', '/api/fs/read?user_id=carol&path=/proc/self/status&offset=9007199254740000&length=10');
    expect([200, 400]).toContain(proc.status);
    if (proc.status === 400) expect(proc.body.detail).toMatch(/^offset: /);
  }, 120_000);

  it('refuses offsets past 2^53 - 1 and offset + length past it with 400', async () => {
    for (const query of ['offset=9007199254740992', 'offset=9007199254740991&length=10', 'offset=1e400']) {
      const res = await t.api('GET', `/api/fs/read?user_id=alice&path=${encodeURIComponent(path.join(dir, 'f.txt'))}&${query}`);
      expect(res.status).toBe(400);
      expect(res.body.detail).toMatch(/offset|length/);
    }
  });

  it('answers a huge offset of a size-0 file (/proc) with 400 or an empty end of file, never a 5xx', async () => {
    const res = await t.api('GET', '/api/fs/read?user_id=alice&path=/proc/self/status&offset=9007199254740000');
    expect([200, 400]).toContain(res.status);
    if (res.status === 200) expect(res.body).toMatchObject({ data: '', eof: true });
    else expect(res.body.detail).toMatch(/offset/);
  });
});

describe('7. the OpenAPI document', () => {
  it('is a valid OpenAPI 3.1 document', async () => {
    const doc = (await t.api('GET', '/openapi.json', undefined, { token: null })).body;
    const result = await new Validator().validate(doc);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
  });

  it('has patterns that are ECMA-262 regexes as written, and that accept what the bridge accepts', async () => {
    const doc = (await t.api('GET', '/openapi.json', undefined, { token: null })).body;
    const patterns: string[] = [];
    JSON.stringify(doc, (key, value: unknown) => {
      if (key === 'pattern' && typeof value === 'string') patterns.push(value);
      return value;
    });
    expect(patterns.length).toBeGreaterThan(5);
    for (const pattern of patterns) expect(() => new RegExp(pattern, 'u'), pattern).not.toThrow();
    const ajv = new Ajv2020({ strict: false, unicodeRegExp: true });
    const claim = doc.paths['/api/pair/claim'].post.requestBody.content['application/json'].schema;
    const validate = ajv.compile(claim.$ref ? { ...doc.components.schemas[claim.$ref.split('/').pop()], components: doc.components } : claim);
    expect(validate({ secret: 's', device_name: 'My phone' }), JSON.stringify(validate.errors)).toBe(true);
    expect(validate({ secret: 's', device_name: 'bad\u0007name' })).toBe(false);
  });
});

function rawRequest(text: string): Promise<string> {
  const url = new URL(t.baseUrl);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(url.port), url.hostname);
    const chunks: Buffer[] = [];
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('close', () => resolve(Buffer.concat(chunks).toString('utf8')));
    socket.end(text);
  });
}
