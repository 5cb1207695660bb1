// Requests for the reliability fuzz: fast-check arbitraries built from JSON Schemas (the bridge's
// /openapi.json and its socket payload schemas), then mutated into hostile ones. Values that would
// leave the machine (host names, VPN servers, real VPN connects) are pinned to loopback.
import fc from 'fast-check';

export type JsonSchema = { [key: string]: unknown };

/** A file no request may make: shell text in every field but `command` names it. */
export const MARKER = `/tmp/vigilink-fuzz-marker-${process.pid}`;

/** Ids the fuzz acts as; never the watched user, whose session must stay up. */
export const FUZZ_USERS = ['fuzz', 'constructor', 'toString', 'valueOf', 'hasOwnProperty', 'u.1@x-y'];
export const FUZZ_SESSIONS = ['default', 's1', 'constructor', 'valueOf', '@container'];

const SHELL_TEXT = [`$(touch ${MARKER})`, `;touch ${MARKER}`, `\`touch ${MARKER}\``, `| touch ${MARKER} #`, `' ; touch ${MARKER} ; '`, `\n touch ${MARKER}`];
const PROTOTYPE_NAMES = ['__proto__', 'constructor', 'toString', 'valueOf', 'hasOwnProperty', 'prototype'];
const HOSTILE_STRINGS = [
  '',
  ' ',
  '\0',
  'a\0b',
  '\x01\x1b[31m\x7f\r\n',
  '\ud800',
  '%00',
  '%E0%A4%A',
  '../../../../etc/shadow',
  '/proc/self/environ',
  'null',
  '{"a":1}',
  'é'.repeat(70),
  'x'.repeat(5_000),
  ...PROTOTYPE_NAMES,
];
const EDGE_NUMBERS = [0, -0, -1, 1.5, 0.0001, 2 ** 31, 2 ** 32, 2 ** 53 - 1, 2 ** 53 + 2, 1e308, -1e308, Number.MIN_VALUE];
const OTHER_VALUES: unknown[] = [null, true, false, [], [1, 'a'], {}, { __proto__: { polluted: 1 } }, JSON.parse('{"__proto__":{"polluted":1}}')];

/**
 * Strings a field may get. A `command` (and terminal keystrokes) runs as shell text, which is what it is
 * for: it gets neither the marker's shell text nor random text, only the fixed hostile strings.
 */
export const hostileString = (field: string): fc.Arbitrary<string> =>
  field === 'command'
    ? fc.constantFrom(...HOSTILE_STRINGS, 'y'.repeat(100_001), '€'.repeat(90_000))
    : fc.oneof(fc.constantFrom(...HOSTILE_STRINGS, ...SHELL_TEXT), fc.string({ unit: 'binary', maxLength: 40 }), fc.constantFrom('y'.repeat(100_001), '€'.repeat(90_000)));

export const hostileValue = (field: string): fc.Arbitrary<unknown> =>
  fc.oneof(hostileString(field), fc.constantFrom(...EDGE_NUMBERS, ...OTHER_VALUES), fc.double(), fc.integer());

export interface SchemaContext {
  /** Components for $ref. */
  components: Record<string, JsonSchema>;
  /** Field-name overrides: values that keep requests meaningful and on this machine. */
  fields: Map<string, fc.Arbitrary<unknown>>;
}

function resolve(schema: JsonSchema, ctx: SchemaContext): JsonSchema {
  const ref = schema.$ref;
  if (typeof ref !== 'string') return schema;
  const target = ctx.components[ref.split('/').pop()!];
  if (!target) throw new Error(`unknown $ref ${ref}`);
  return resolve(target, ctx);
}

/** A value the schema describes (mostly valid: patterns are honoured, lengths kept small). */
export function fromSchema(input: JsonSchema, ctx: SchemaContext, field = ''): fc.Arbitrary<unknown> {
  const override = ctx.fields.get(field);
  if (override) return override;
  const schema = resolve(input, ctx);
  const choices = (schema.oneOf ?? schema.anyOf) as JsonSchema[] | undefined;
  if (choices) return fc.oneof(...choices.map((choice) => fromSchema(choice, ctx, field)));
  if (Array.isArray(schema.enum)) return fc.constantFrom(...(schema.enum as unknown[]));
  if ('const' in schema) return fc.constant(schema.const);
  const type = Array.isArray(schema.type) ? (schema.type as string[]).find((t) => t !== 'null') : (schema.type as string | undefined);
  switch (type) {
    case 'string':
      return stringFrom(schema);
    case 'integer':
      return fc.integer({ min: Math.max(Number(schema.minimum ?? -1e6), -(2 ** 31)), max: Math.min(Number(schema.maximum ?? 1e6), 2 ** 31) });
    case 'number':
      return fc.double({ min: Number(schema.minimum ?? schema.exclusiveMinimum ?? -1e6), max: Number(schema.maximum ?? 1e6), noNaN: true, noDefaultInfinity: true });
    case 'boolean':
      return fc.boolean();
    case 'array':
      return fc.array(fromSchema((schema.items as JsonSchema) ?? {}, ctx), { maxLength: 3 });
    case 'object':
      return objectFrom(schema, ctx);
    default:
      return fc.jsonValue({ maxDepth: 1 });
  }
}

function stringFrom(schema: JsonSchema): fc.Arbitrary<string> {
  const minLength = Number(schema.minLength ?? 0);
  const maxLength = Math.min(Number(schema.maxLength ?? 64), 64);
  if (schema.format === 'ip') return fc.constantFrom('127.0.0.1', '::1');
  if (typeof schema.pattern === 'string') {
    // Padded up to minLength rather than filtered: a pattern's strings are mostly short, so filtering for
    // a long minLength (a 20-character nonce) would spin for ever. A padded string may no longer match,
    // which only makes it one more hostile input.
    const longest = Math.max(minLength, maxLength);
    return fc.stringMatching(new RegExp(schema.pattern, 'u')).map((s) => {
      let value = s || 'a';
      while (value.length < minLength) value += value;
      return value.slice(0, longest);
    });
  }
  return fc.string({ minLength, maxLength: Math.max(minLength, maxLength) });
}

function objectFrom(schema: JsonSchema, ctx: SchemaContext): fc.Arbitrary<Record<string, unknown>> {
  const properties = (schema.properties ?? {}) as Record<string, JsonSchema>;
  const record = Object.fromEntries(Object.entries(properties).map(([name, property]) => [name, fromSchema(property, ctx, name)]));
  return fc.record(record, { requiredKeys: (schema.required as string[] | undefined) ?? [] }) as fc.Arbitrary<Record<string, unknown>>;
}

export type Mutation =
  | { kind: 'none' }
  | { kind: 'set'; field: string; value: unknown }
  | { kind: 'drop'; field: string }
  | { kind: 'extra'; field: string; value: unknown }
  | { kind: 'replace'; value: unknown };

/** One mutation of an object's fields (or of the whole value). */
export function mutationOf(fields: readonly string[]): fc.Arbitrary<Mutation> {
  const some = fields.length ? fc.constantFrom(...fields) : fc.constant('user_id');
  return fc.oneof(
    { weight: 2, arbitrary: fc.constant<Mutation>({ kind: 'none' }) },
    { weight: 5, arbitrary: some.chain((field) => hostileValue(field).map((value): Mutation => ({ kind: 'set', field, value }))) },
    { weight: 1, arbitrary: some.map((field): Mutation => ({ kind: 'drop', field })) },
    { weight: 1, arbitrary: fc.tuple(fc.constantFrom(...PROTOTYPE_NAMES, 'extra', 'x'.repeat(500)), hostileValue('extra')).map(([field, value]): Mutation => ({ kind: 'extra', field, value })) },
    { weight: 1, arbitrary: hostileValue('whole').map((value): Mutation => ({ kind: 'replace', value })) },
  );
}

export function applyMutation(value: Record<string, unknown>, mutation: Mutation): unknown {
  // defineProperty, so '__proto__' becomes an own field as JSON.parse would make it, not a prototype.
  const copy: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) Object.defineProperty(copy, key, { value: v, enumerable: true, writable: true, configurable: true });
  switch (mutation.kind) {
    case 'none':
      return copy;
    case 'set':
    case 'extra':
      Object.defineProperty(copy, mutation.field, { value: mutation.value, enumerable: true, writable: true, configurable: true });
      return copy;
    case 'drop':
      delete copy[mutation.field];
      return copy;
    case 'replace':
      return mutation.value;
  }
}

/** %-encoding of the UTF-8 bytes; lone surrogates (which encodeURIComponent throws on) go as U+FFFD. */
export function encodeText(text: string): string {
  return [...Buffer.from(text, 'utf8')].map((byte) => (/[A-Za-z0-9_.~-]/.test(String.fromCharCode(byte)) ? String.fromCharCode(byte) : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`)).join('');
}

/** A query string: arrays repeat the key (duplicate keys), objects go as JSON, null as a bare key. */
export function queryString(query: unknown): string {
  if (!query || typeof query !== 'object' || Array.isArray(query)) return `q=${encodeText(String(query))}`;
  const parts: string[] = [];
  for (const [key, value] of Object.entries(query)) {
    const k = encodeText(key);
    if (value === null) parts.push(k);
    else if (Array.isArray(value)) for (const item of value) parts.push(`${k}=${encodeText(String(item))}`);
    else if (typeof value === 'object') parts.push(`${k}=${encodeText(JSON.stringify(value))}`);
    else parts.push(`${k}=${encodeText(String(value))}`);
  }
  return parts.join('&');
}

export type BodyEncoding = 'json' | 'malformed' | 'gzip-lie' | 'gzip' | 'text-plain' | 'bad-charset' | 'oversized';
export const bodyEncoding: fc.Arbitrary<BodyEncoding> = fc.oneof(
  { weight: 12, arbitrary: fc.constant<BodyEncoding>('json') },
  { weight: 1, arbitrary: fc.constantFrom<BodyEncoding>('malformed', 'gzip-lie', 'gzip', 'text-plain', 'bad-charset', 'oversized') },
);

export type AuthChoice = 'owner' | 'none' | 'garbage' | 'huge';
export const authChoice: fc.Arbitrary<AuthChoice> = fc.oneof(
  { weight: 12, arbitrary: fc.constant<AuthChoice>('owner') },
  { weight: 1, arbitrary: fc.constantFrom<AuthChoice>('none', 'garbage', 'huge') },
);
