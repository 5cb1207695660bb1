// The renderer's ApiClient against the endpoint table, with fetch stubbed (the boundary): for the owner,
// every operation whose schema names user_id gets it where that schema expects it, so the request the
// bridge receives passes the same validation the route runs. Cancelling a Slurm job was one that did not.
// Also: a read the network dropped is sent again, a write is not.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { endpoints } from '../../../bridge/contracts/endpoints';
import type { EndpointSpec } from '../../../bridge/contracts/endpoint';
import { ApiClient, READ_RETRY_DELAYS_MS, UNREACHABLE } from '../../../renderer/src/api/api-client';

interface SentRequest {
  url: URL;
  body: unknown;
}

let sent: SentRequest[];
beforeEach(() => {
  sent = [];
  vi.stubGlobal('fetch', async (input: string, init: RequestInit = {}) => {
    sent.push({ url: new URL(input, 'https://bridge.test'), body: init.body ? JSON.parse(String(init.body)) : undefined });
    return new Response('{}', { status: 200, headers: { 'content-type': 'application/json' } });
  });
});
afterEach(() => vi.unstubAllGlobals());

const owner = new ApiClient({ token: 't', userId: 'alice', onUnauthorized: () => undefined });

const allEndpoints: Array<[string, EndpointSpec]> = Object.entries(endpoints).flatMap(([group, table]) =>
  Object.entries(table as Record<string, EndpointSpec>).map(([name, endpoint]) => [`${group}.${name}`, endpoint] as [string, EndpointSpec]),
);
const shapeOf = (schema: EndpointSpec['query']): Record<string, unknown> => (schema as { shape?: Record<string, unknown> } | undefined)?.shape ?? {};
const paramsFor = (endpoint: EndpointSpec): Record<string, string> =>
  Object.fromEntries([...endpoint.path.matchAll(/:(\w+)/g)].map(([, name]) => [name, 'x1']));

describe("the owner's user_id goes where the endpoint's schema wants it", () => {
  it('cancelling a Slurm job carries user_id in the query, which is where the route reads it', async () => {
    await owner.call(endpoints.slurm.cancelJob, { params: { id: '42' } });
    const request = sent[0]!;
    expect(request.url.pathname).toBe('/api/slurm/jobs/42/cancel');
    expect(request.url.searchParams.get('user_id')).toBe('alice');
    expect(endpoints.slurm.cancelJob.query!.safeParse(Object.fromEntries(request.url.searchParams)).success).toBe(true);
  });

  it.each(allEndpoints.filter(([, e]) => 'user_id' in shapeOf(e.query) || 'user_id' in shapeOf(e.body)))('%s', async (_name, endpoint) => {
    await (owner.call as (e: EndpointSpec, r: object) => Promise<unknown>)(endpoint, { params: paramsFor(endpoint) });
    const request = sent[0]!;
    if ('user_id' in shapeOf(endpoint.query)) expect(request.url.searchParams.get('user_id')).toBe('alice');
    if ('user_id' in shapeOf(endpoint.body)) expect(request.body).toMatchObject({ user_id: 'alice' });
  });

  it('a device sends no user_id: its token names its user', async () => {
    const device = new ApiClient({ token: 't', userId: null, onUnauthorized: () => undefined });
    await device.call(endpoints.slurm.cancelJob, { params: { id: '42' } });
    expect(sent[0]!.url.searchParams.has('user_id')).toBe(false);
  });
});

describe('a request the network dropped (fetch stubbed to fail, as on ERR_NETWORK_CHANGED)', () => {
  it('sends a read again, and gives up with the unreachable error after the last pause', async () => {
    vi.useFakeTimers();
    try {
      let calls = 0;
      vi.stubGlobal('fetch', async () => {
        calls++;
        if (calls < 3) throw new TypeError('Failed to fetch');
        return new Response('{"prompt":null}', { status: 200, headers: { 'content-type': 'application/json' } });
      });
      const answer = owner.call(endpoints.vpn.prompt);
      await vi.advanceTimersByTimeAsync(READ_RETRY_DELAYS_MS.reduce((a, b) => a + b, 0));
      expect(await answer).toEqual({ prompt: null });
      expect(calls).toBe(3);

      calls = -10;
      const never = owner.call(endpoints.vpn.prompt).catch((error: unknown) => error);
      await vi.advanceTimersByTimeAsync(READ_RETRY_DELAYS_MS.reduce((a, b) => a + b, 0));
      expect(await never).toMatchObject({ status: 0, detail: UNREACHABLE });
      expect(calls).toBe(-10 + 1 + READ_RETRY_DELAYS_MS.length);
    } finally {
      vi.useRealTimers();
    }
  });

  it('does not send a write twice: it may have arrived', async () => {
    let calls = 0;
    vi.stubGlobal('fetch', async () => {
      calls++;
      throw new TypeError('Failed to fetch');
    });
    await expect(owner.call(endpoints.vpn.answerPrompt, { body: { prompt_id: 'p', answers: { code: '1' } } })).rejects.toMatchObject({ status: 0 });
    expect(calls).toBe(1);
  });
});
