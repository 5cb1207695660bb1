// A minimal tus 1.0 client for tests and benches: create, HEAD for the offset, and a streamed PATCH that
// can cut its own socket after some bytes (a dropped phone connection).
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';

interface Target {
  baseUrl: string;
  token: string;
}

export async function tusCreate(t: Target, query: Record<string, string>, length: number): Promise<{ status: number; location: string; body: any }> {
  const res = await fetch(`${t.baseUrl}/api/fs/uploads?${new URLSearchParams(query)}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${t.token}`, 'tus-resumable': '1.0.0', 'upload-length': String(length) },
  });
  const text = await res.text();
  return { status: res.status, location: res.headers.get('location') ?? '', body: text ? JSON.parse(text) : null };
}

export async function tusHead(t: Target, location: string): Promise<{ status: number; offset: number }> {
  const res = await fetch(t.baseUrl + location, { method: 'HEAD', headers: { authorization: `Bearer ${t.token}`, 'tus-resumable': '1.0.0' } });
  return { status: res.status, offset: Number(res.headers.get('upload-offset') ?? -1) };
}

export interface PatchResult {
  status: number;
  offset: number;
  /** true when the client cut the connection itself (cutAfterBytes). */
  cut: boolean;
}

/** PATCH the file's bytes from `offset` to its end; with cutAfterBytes, destroy the socket once that many are sent. */
export function tusPatch(t: Target, location: string, offset: number, file: string, options: { cutAfterBytes?: number } = {}): Promise<PatchResult> {
  return new Promise((resolve, reject) => {
    const size = fs.statSync(file).size;
    const req = http.request(t.baseUrl + location, {
      method: 'PATCH',
      headers: {
        authorization: `Bearer ${t.token}`,
        'tus-resumable': '1.0.0',
        'upload-offset': String(offset),
        'content-type': 'application/offset+octet-stream',
        'content-length': String(size - offset),
      },
    });
    let sent = 0;
    let cut = false;
    const body = fs.createReadStream(file, { start: offset, highWaterMark: 1024 * 1024 });
    body.on('data', (chunk) => {
      sent += chunk.length;
      if (options.cutAfterBytes !== undefined && sent >= options.cutAfterBytes && !cut) {
        cut = true;
        body.destroy();
        req.destroy();
        // Give the bridge a moment to notice, as a phone's retry would.
        setTimeout(() => resolve({ status: 0, offset: -1, cut: true }), 200);
      }
    });
    body.pipe(req);
    req.on('response', (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, offset: Number(res.headers['upload-offset'] ?? -1), cut }));
    });
    req.on('error', (error) => (cut ? undefined : reject(error)));
  });
}

export async function sha256File(file: string): Promise<string> {
  const hash = crypto.createHash('sha256');
  for await (const chunk of fs.createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
