// Requests Node's HTTP parser refuses before express sees them (a head over 16 KB, a malformed request
// line, a slow head): answered with the same JSON {"detail"} errors as every other refusal.
import type http from 'node:http';
import type { Duplex } from 'node:stream';
import type { Logger } from '../core/logger.js';

/** llhttp's error codes -> status and a fixed detail (never the parser's text, which can quote the input). */
const PARSER_ERRORS = new Map<string, { status: number; reason: string; detail: string }>([
  ['HPE_HEADER_OVERFLOW', { status: 431, reason: 'Request Header Fields Too Large', detail: 'Request head over 16 KB (too many or too large headers, or too long a URL)' }],
  ['HPE_CHUNK_EXTENSIONS_OVERFLOW', { status: 413, reason: 'Payload Too Large', detail: 'Chunk extensions too large' }],
  ['ERR_HTTP_REQUEST_TIMEOUT', { status: 408, reason: 'Request Timeout', detail: 'The request head did not arrive in time' }],
]);
/** How long a refused connection is drained before it is closed for good. */
const LINGER_MS = 2_000;
const MALFORMED = { status: 400, reason: 'Bad Request', detail: 'Malformed HTTP request' };

/** The raw answer: the socket has no response object yet, so the status line and headers are written here. */
export function clientErrorResponse(code: string | undefined): string {
  const { status, reason, detail } = (code && PARSER_ERRORS.get(code)) || MALFORMED;
  const body = JSON.stringify({ detail });
  return (
    `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json; charset=utf-8\r\n` +
    `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`
  );
}

export function answerClientErrors(server: http.Server, logger: Logger): void {
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => {
    // A reset peer cannot read an answer; a socket mid-response must not get a second status line.
    const midResponse = (socket as Duplex & { _httpMessage?: http.ServerResponse })._httpMessage?.headersSent === true;
    if (error.code === 'ECONNRESET' || !socket.writable || midResponse) {
      socket.destroy();
      return;
    }
    logger.debug({ code: error.code }, 'refused a malformed request');
    socket.end(clientErrorResponse(error.code));
    // Keep reading (and dropping) what the client is still sending: closing a socket with unread data
    // resets the connection, and a client still writing its long head would then never read the answer.
    socket.on('data', () => undefined);
    socket.resume();
    setTimeout(() => socket.destroy(), LINGER_MS).unref();
  });
}
