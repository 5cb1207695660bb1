// A bridge started on an empty owner.token: the file is replaced, and neither socket.io nor HTTP lets an
// empty token in as the owner.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeDataDir, startBridge, type TestBridge } from '../support/bridge.js';
import { connectSocket } from '../support/live-client.js';

let t: TestBridge;

beforeAll(async () => {
  const dataDir = makeDataDir();
  fs.writeFileSync(path.join(dataDir, 'owner.token'), '');
  t = await startBridge({}, dataDir);
}, 30_000);
afterAll(async () => {
  await t?.close();
});

describe('an empty owner.token at start', () => {
  it('is replaced by a real token', () => {
    expect(t.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(fs.readFileSync(path.join(t.dataDir, 'owner.token'), 'utf8').trim()).toBe(t.token);
  });

  it('does not let socket.io auth {token: ""} in', async () => {
    await expect(connectSocket(t.baseUrl, { token: '' })).rejects.toThrow(/unauthorized/);
    await expect(connectSocket(t.baseUrl, { token: ' ' })).rejects.toThrow(/unauthorized/);
    const owner = await connectSocket(t.baseUrl, { token: t.token });
    owner.close();
  });

  it('does not let an empty or blank bearer token in over HTTP', async () => {
    for (const authorization of ['Bearer ', 'Bearer', 'Bearer  \t']) {
      const res = await t.api('GET', '/api/devices', undefined, { token: null, headers: { authorization } });
      expect(res.status).toBe(401);
    }
    expect((await t.api('GET', '/api/devices')).status).toBe(200);
  });
});
