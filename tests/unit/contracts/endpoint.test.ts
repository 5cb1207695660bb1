// The endpoint table's URL builder and user_id detection, which the renderer's api.call relies on.
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { endpointUrl, namesUser } from '../../../bridge/contracts/endpoint.js';
import { endpoints, isApiPath } from '../../../bridge/contracts/endpoints.js';

describe('endpointUrl', () => {
  it('fills path parameters, encoded', () => {
    expect(endpointUrl(endpoints.pairing.revokeDevice, { params: { id: 'a/b c' } })).toBe('/api/devices/a%2Fb%20c');
  });

  it('appends the defined query values only', () => {
    expect(endpointUrl(endpoints.files.list, { query: { path: '/tmp/x y', session_id: 'default', user_id: undefined } })).toBe('/api/fs/list?path=%2Ftmp%2Fx+y&session_id=default');
    expect(endpointUrl(endpoints.health.check)).toBe('/healthz');
  });

  it('refuses a path parameter left out rather than call a wrong URL', () => {
    expect(() => endpointUrl(endpoints.gpu.deleteRule, { query: {} })).toThrow(/missing path parameter id/);
  });
});

describe('namesUser', () => {
  it('finds user_id in an object schema, refined or not', () => {
    expect(namesUser(endpoints.vpn.status.query)).toBe(true);
    expect(namesUser(z.object({ user_id: z.string() }).refine(() => true))).toBe(true);
  });

  it('is false for schemas without it, and for none', () => {
    expect(namesUser(endpoints.ssh.forgetHostKey.query)).toBe(false);
    expect(namesUser(undefined)).toBe(false);
    expect(namesUser(z.string())).toBe(false);
  });
});

describe('API_PATH_PREFIXES', () => {
  it('covers every endpoint, socket.io and the docs, and none of the UI views', () => {
    for (const group of Object.values(endpoints)) {
      for (const endpoint of Object.values(group)) expect(isApiPath(endpoint.path), endpoint.path).toBe(true);
    }
    for (const path of ['/socket.io/?EIO=4', '/openapi.json', '/docs', '/docs/assets/x.css']) expect(isApiPath(path), path).toBe(true);
    for (const path of ['/', '/sessions', '/files', '/gpus', '/jobs', '/more', '/trust', '/assets/index.js']) expect(isApiPath(path), path).toBe(false);
  });
});
