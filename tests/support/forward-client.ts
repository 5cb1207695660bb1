// A browser's part in forward tests: trade a one-time link for the forward's cookie, then make requests
// and WebSockets with it, as a phone's browser would (the forward's own origin, its own cookie jar).
import { WebSocket } from 'ws';
import type { TestBridge } from './bridge.js';

export interface ForwardBrowser {
  origin: string;
  cookie: string;
}

/** POST /api/forwards/:id/link with `token`, open the link, keep the cookie it sets. */
export async function enterForward(t: TestBridge, forwardId: string, token: string, userId?: string): Promise<ForwardBrowser> {
  const query = userId ? `?user_id=${userId}` : '';
  const link = await t.api<{ url: string }>('POST', `/api/forwards/${forwardId}/link${query}`, undefined, { token });
  if (link.status !== 200) throw new Error(`link: ${link.status} ${JSON.stringify(link.body)}`);
  const opened = await fetch(link.body.url, { redirect: 'manual' });
  if (opened.status !== 303) throw new Error(`open: ${opened.status} ${await opened.text()}`);
  const setCookie = opened.headers.get('set-cookie') ?? '';
  return { origin: new URL(link.body.url).origin, cookie: setCookie.split(';')[0]! };
}

export function fetchIn(browser: ForwardBrowser | { origin: string; cookie?: string }, path: string, init: RequestInit = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  if (browser.cookie) headers.set('cookie', [browser.cookie, headers.get('cookie')].filter(Boolean).join('; '));
  return fetch(browser.origin + path, { ...init, headers, redirect: 'manual' });
}

/** A WebSocket to the forward with the browser's cookie; resolves once open, rejects with the refusal. */
export function openWebSocket(browser: { origin: string; cookie?: string }, path = '/ws'): Promise<WebSocket> {
  const ws = new WebSocket(browser.origin.replace(/^http/, 'ws') + path, { headers: browser.cookie ? { cookie: browser.cookie, origin: browser.origin } : {} });
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve(ws));
    ws.once('unexpected-response', (_req, res) => reject(new Error(`refused: ${res.statusCode}`)));
    ws.once('error', reject);
  });
}

export function echo(ws: WebSocket, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    ws.once('message', (data: Buffer) => resolve(data.toString()));
    ws.once('close', () => reject(new Error('closed before the echo')));
    ws.send(text);
  });
}

/** Resolves with the close code once the socket closes (within timeoutMs). */
export function closed(ws: WebSocket, timeoutMs = 5000): Promise<number> {
  if (ws.readyState === WebSocket.CLOSED) return Promise.resolve(1006);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the WebSocket stayed open')), timeoutMs);
    ws.once('close', (code: number) => {
      clearTimeout(timer);
      resolve(code);
    });
  });
}
