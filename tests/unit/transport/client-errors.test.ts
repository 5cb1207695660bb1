// clientErrorResponse: the raw HTTP answers for requests Node's parser refuses, each with a JSON detail.
import { describe, expect, it } from 'vitest';
import { clientErrorResponse } from '../../../bridge/transport/client-errors.js';

const parse = (raw: string) => {
  const [head, body] = raw.split('\r\n\r\n');
  return { statusLine: head!.split('\r\n')[0], head: head!, body: JSON.parse(body!) as unknown, length: Buffer.byteLength(body!) };
};

describe('clientErrorResponse', () => {
  it.each([
    ['HPE_HEADER_OVERFLOW', 'HTTP/1.1 431 Request Header Fields Too Large'],
    ['HPE_CHUNK_EXTENSIONS_OVERFLOW', 'HTTP/1.1 413 Payload Too Large'],
    ['ERR_HTTP_REQUEST_TIMEOUT', 'HTTP/1.1 408 Request Timeout'],
    ['HPE_INVALID_METHOD', 'HTTP/1.1 400 Bad Request'],
    [undefined, 'HTTP/1.1 400 Bad Request'],
  ])('%s -> %s with a JSON detail, its length and Connection: close', (code, statusLine) => {
    const answer = parse(clientErrorResponse(code));
    expect(answer.statusLine).toBe(statusLine);
    expect(answer.body).toEqual({ detail: expect.any(String) });
    expect(answer.head).toMatch(/\r\nContent-Type: application\/json; charset=utf-8\r\n/);
    expect(answer.head).toContain(`\r\nContent-Length: ${answer.length}\r\n`);
    expect(answer.head).toMatch(/\r\nConnection: close$/);
  });
});
