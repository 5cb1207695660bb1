// OpenAPI 3.1, generated from the same zod schemas that validate requests, and the /docs page.
import { OpenAPIRegistry, OpenApiGeneratorV31 } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import { ErrorBody } from '../contracts/common.js';
import type { AnyRoute } from './route.js';

const STATUS_TEXT: Record<number, string> = {
  400: 'Invalid request (the detail names the field)',
  401: 'Missing or invalid bearer token',
  403: 'The token may not act for that user',
  404: 'Not found',
  409: 'Conflict',
  413: 'Body too large',
  416: 'Range not satisfiable (Content-Range says the size)',
  429: 'Too many requests (see Retry-After)',
  500: 'The operation failed (the detail says why)',
  502: 'The remote host refused or failed',
  503: 'A service the bridge needs is unavailable',
  504: 'The remote host did not answer in time',
};

export function openApiPath(expressPath: string): string {
  return expressPath.replace(/:([A-Za-z_]+)/g, '{$1}');
}

export function buildOpenApiDocument(routes: readonly AnyRoute[], version: string): object {
  const registry = new OpenAPIRegistry();
  registry.registerComponent('securitySchemes', 'bearer', { type: 'http', scheme: 'bearer' });
  for (const route of routes) {
    const errorStatuses = new Set<number>([400, ...(route.auth === 'none' ? [] : [401]), ...(route.errors ?? [])]);
    const responses: Record<string, object> = {
      200: route.produces
        ? { description: route.summary, content: { [route.produces]: { schema: { type: 'string', format: 'binary' } } } }
        : { description: 'OK', content: { 'application/json': { schema: route.response ?? z.object({}) } } },
    };
    for (const status of errorStatuses) {
      responses[status] = { description: STATUS_TEXT[status] ?? 'Error', content: { 'application/json': { schema: ErrorBody } } };
    }
    registry.registerPath({
      method: route.method,
      path: openApiPath(route.path),
      summary: route.summary,
      ...(route.description ? { description: route.description } : {}),
      tags: [route.tag],
      security: route.auth === 'none' ? [] : [{ bearer: [] }],
      request: {
        ...(route.query ? { query: route.query as z.ZodObject } : {}),
        ...(route.params ? { params: route.params as z.ZodObject } : {}),
        ...(route.body ? { body: { content: { 'application/json': { schema: route.body } } } } : {}),
      },
      responses,
    });
  }
  const generator = new OpenApiGeneratorV31(registry.definitions);
  return patternsAsWritten(generator.generateDocument({
    openapi: '3.1.0',
    info: {
      title: 'Vigilink bridge',
      version,
      description: 'Reach a remote GPU cluster from your phone: SSH sessions, VPN containers, files, terminals and GPUs.',
    },
    security: [{ bearer: [] }],
  }));
}

/**
 * zod-to-openapi writes a pattern as `regex.toString()` less its outer slashes, so a regex with flags
 * comes out as `^[^\p{Cc}]+$/u`, which matches nothing. RegExp sources always escape `/`, so a slash
 * after an even run of backslashes can only be that flags separator. JSON Schema patterns are read with
 * Unicode semantics (u, and v's superset here), and g/y do not change what matches; any other flag has no
 * equivalent in a pattern, so it is refused while the document is built rather than published wrong.
 */
export function patternAsWritten(pattern: string): string {
  const match = /^(.*?)((?:\\\\)*)\/([a-z]+)$/s.exec(pattern);
  if (!match || match[1]!.endsWith('\\')) return pattern;
  const unsupported = [...match[3]!].filter((flag) => !'uvgy'.includes(flag));
  if (unsupported.length) throw new Error(`OpenAPI pattern ${pattern}: flag ${unsupported.join('')} has no JSON Schema equivalent`);
  return match[1]! + match[2]!;
}

function patternsAsWritten<T>(node: T): T {
  if (Array.isArray(node)) return node.map(patternsAsWritten) as T;
  if (!node || typeof node !== 'object') return node;
  const entries = Object.entries(node).map(([key, value]) => [key, key === 'pattern' && typeof value === 'string' ? patternAsWritten(value) : patternsAsWritten(value)]);
  return Object.fromEntries(entries) as T;
}

/** The interactive docs page (Swagger UI from the swagger-ui-dist package, served locally: no CDN). */
export const DOCS_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Vigilink bridge API</title>
<link rel="stylesheet" href="/docs/assets/swagger-ui.css">
</head>
<body>
<div id="swagger-ui"></div>
<script src="/docs/assets/swagger-ui-bundle.js"></script>
<script src="/docs/init.js"></script>
</body>
</html>`;

export const DOCS_INIT_JS = `window.ui = SwaggerUIBundle({ url: '/openapi.json', dom_id: '#swagger-ui', persistAuthorization: false });`;
