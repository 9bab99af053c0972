import type { FastifyInstance } from 'fastify';

/**
 * Every route the node has, so that a new one cannot escape the fuzzer: the node's OpenAPI
 * document (GET /docs/json of the real process, with request body schemas) united with the
 * fastify route table (printRoutes of a node built in this process, which also lists the routes
 * hidden from the document: /metrics, the console, static files). Templates use the OpenAPI form:
 * `{name}` for a parameter, `{*}` for a wildcard.
 */

export interface Route {
  readonly method: string;
  readonly template: string;
  readonly bodySchema?: Schema;
}

export type Schema = Readonly<Record<string, unknown>>;

const HTTP_METHODS = new Set(['get', 'head', 'put', 'post', 'delete', 'patch', 'options']);

const normalise = (path: string): string =>
  path
    .replace(/:([A-Za-z0-9_]+)/g, '{$1}')
    .replace(/\*/g, '{*}')
    .replace(/\{\{\*\}\}/g, '{*}');

interface OpenApi {
  readonly paths?: Record<string, Record<string, { requestBody?: { content?: Record<string, { schema?: Schema }> } }>>;
}

export function openApiRoutes(doc: OpenApi): Route[] {
  const out: Route[] = [];
  for (const [path, ops] of Object.entries(doc.paths ?? {})) {
    for (const [m, op] of Object.entries(ops)) {
      if (!HTTP_METHODS.has(m)) continue;
      const content = op.requestBody?.content ?? {};
      const schema = content['application/json']?.schema ?? Object.values(content)[0]?.schema;
      out.push({ method: m.toUpperCase(), template: normalise(path), ...(schema ? { bodySchema: schema } : {}) });
    }
  }
  return out;
}

/**
 * printRoutes({ commonPrefix: false }) draws a tree, four columns per level:
 * `    ├── api/handles (GET, HEAD)`; a route's path is its ancestors' segments joined.
 */
export function fastifyRoutes(app: FastifyInstance): Route[] {
  const stack: string[] = [];
  const out: Route[] = [];
  for (const line of app.printRoutes({ commonPrefix: false }).split('\n')) {
    const m = /^([\s│]*)[├└]── (.*?)(?: \(([A-Z, ]+)\))?$/.exec(line);
    if (m === null) continue;
    const depth = m[1]!.length / 4;
    stack.length = depth;
    stack.push(m[2]!);
    const path = stack.join('');
    for (const method of (m[3] ?? '').split(', ').filter(Boolean)) out.push({ method, template: normalise(path) });
  }
  return out;
}

/** The union, one entry per method and template (the OpenAPI entry wins: it carries the body schema). */
export function unite(...lists: readonly (readonly Route[])[]): Route[] {
  const byKey = new Map<string, Route>();
  for (const list of lists)
    for (const r of list) if (!byKey.has(`${r.method} ${r.template}`)) byKey.set(`${r.method} ${r.template}`, r);
  return [...byKey.values()].sort((a, b) => a.template.localeCompare(b.template) || a.method.localeCompare(b.method));
}
