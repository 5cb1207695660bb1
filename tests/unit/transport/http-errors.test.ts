// toAppError and bearerToken: body-parser failures are 4xx kinds, unknown errors are 'internal'.
import { describe, expect, it } from 'vitest';
import { AppError } from '../../../bridge/core/errors.js';
import { bearerToken, toAppError } from '../../../bridge/transport/http-app.js';
import { HTTP_STATUS_BY_KIND } from '../../../bridge/transport/error-status.js';

describe('toAppError', () => {
  it('keeps an AppError as it is', () => {
    const error = new AppError('conflict', 'taken');
    expect(toAppError(error)).toBe(error);
  });

  it.each([
    [{ type: 'entity.too.large', status: 413 }, 'too_large'],
    [{ type: 'entity.parse.failed', status: 400 }, 'invalid'],
    [{ type: 'encoding.unsupported', status: 415 }, 'invalid'],
  ])('body parser %j -> %s', (shape, kind) => {
    expect(toAppError(Object.assign(new Error('parser'), shape)).kind).toBe(kind);
  });

  it('maps zlib and router client errors (4xx status, no type) to invalid, without their text', () => {
    const zlibError = Object.assign(new Error('incorrect header check'), { status: 400, code: 'Z_DATA_ERROR' });
    expect(toAppError(zlibError)).toMatchObject({ kind: 'invalid', message: expect.stringMatching(/Content-Encoding/) });
    const uriError = Object.assign(new URIError("Failed to decode param '%E0%A4%A'"), { status: 400 });
    expect(toAppError(uriError)).toMatchObject({ kind: 'invalid', message: 'Malformed percent-encoding in the request path' });
    expect(toAppError(Object.assign(new Error('big'), { statusCode: 413 })).kind).toBe('too_large');
  });

  it('does not trust a 5xx status on an unknown error', () => {
    expect(toAppError(Object.assign(new Error('x'), { status: 503 })).kind).toBe('internal');
  });

  it('turns anything else into an internal error with a generic message', () => {
    const error = toAppError(new TypeError('cannot read properties of undefined'));
    expect(error.kind).toBe('internal');
    expect(error.message).toBe('Internal server error');
  });
});

describe('HTTP_STATUS_BY_KIND', () => {
  it('maps every kind to a 4xx or 5xx status', () => {
    for (const status of Object.values(HTTP_STATUS_BY_KIND)) expect(status >= 400 && status < 600).toBe(true);
    expect(HTTP_STATUS_BY_KIND.range_not_satisfiable).toBe(416);
    expect(HTTP_STATUS_BY_KIND.upstream_failed).toBe(502);
  });
});

describe('bearerToken', () => {
  it.each([
    [undefined, null],
    ['', null],
    ['Bearer abc', 'abc'],
    ['bearer abc  ', 'abc'],
    ['Basic abc', null],
    ['Bearer', null],
    ['Bearer a b', null],
  ])('%j -> %j', (header, expected) => {
    expect(bearerToken(header)).toBe(expected);
  });
});
