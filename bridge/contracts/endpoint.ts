// One HTTP operation as both sides see it: method, path and the zod schemas of its parts. The bridge's
// routes are built on these and the renderer's typed calls take them, so neither can drift from the other.
import type { z } from 'zod';

export type HttpMethod = 'get' | 'head' | 'post' | 'put' | 'patch' | 'delete';

export interface EndpointSpec {
  method: HttpMethod;
  /** Express path syntax (`/api/devices/:id`); OpenAPI gets `{id}`. */
  path: string;
  params?: z.ZodType;
  query?: z.ZodType;
  body?: z.ZodType;
  /** The 200 answer's schema (for `produces` endpoints there is none). */
  response?: z.ZodType;
  /** Content type of a non-JSON answer (downloads). */
  produces?: string;
}

export type RequestPartName = 'params' | 'query' | 'body';

/** The schema of one part, or never when the endpoint has none. */
type PartSchema<E, K extends RequestPartName | 'response'> = E extends { [P in K]: infer S extends z.ZodType } ? S : never;

/** A part as the bridge's handler receives it: parsed, defaults applied. */
export type ParsedPart<E extends EndpointSpec, K extends RequestPartName> = [PartSchema<E, K>] extends [never] ? undefined : z.output<PartSchema<E, K>>;

/** What a caller sends for each part; a part whose fields are all optional may be left out. */
export type EndpointRequest<E extends EndpointSpec> = Slot<E, 'params'> & Slot<E, 'query'> & Slot<E, 'body'>;
type Slot<E, K extends RequestPartName> = [PartSchema<E, K>] extends [never]
  ? { [P in K]?: undefined }
  : object extends z.input<PartSchema<E, K>>
    ? { [P in K]?: z.input<PartSchema<E, K>> }
    : { [P in K]: z.input<PartSchema<E, K>> };

/** The 200 answer's type (unknown for endpoints that answer no JSON). */
export type EndpointAnswer<E extends EndpointSpec> = [PartSchema<E, 'response'>] extends [never] ? unknown : z.output<PartSchema<E, 'response'>>;

/** Identity helper: keeps the literal method, path and exact schema types of one endpoint. */
export function defineEndpoint<const E extends EndpointSpec>(spec: E): E {
  return spec;
}

export type QueryValues = Record<string, string | number | boolean | null | undefined>;

/** The path with its `:name` segments filled in (encoded), and the query's defined values appended. */
export function endpointUrl(endpoint: Pick<EndpointSpec, 'path'>, parts: { params?: object; query?: object } = {}): string {
  const params = (parts.params ?? {}) as QueryValues;
  const path = endpoint.path.replace(/:([A-Za-z_]+)/g, (_match, name: string) => {
    const value = params[name];
    if (value === undefined || value === null) throw new Error(`${endpoint.path}: missing path parameter ${name}`);
    return encodeURIComponent(String(value));
  });
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries((parts.query ?? {}) as QueryValues)) if (value !== undefined && value !== null) search.set(key, String(value));
  const text = search.toString();
  return text ? `${path}?${text}` : path;
}

/** Whether a part's schema has a `user_id` field: the owner's calls name the user they act for there. */
export function namesUser(schema: z.ZodType | undefined): boolean {
  const shape = (schema as { shape?: Record<string, unknown> } | undefined)?.shape;
  return shape !== undefined && Object.hasOwn(shape, 'user_id');
}
