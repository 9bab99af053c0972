import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Readable } from 'node:stream';
import { createInterface } from 'node:readline';
import { Type, type Static } from 'typebox';
import { SuffixRegistry, type ItemResult, type SuffixItem } from '../../../../prefix-registry/src/index.ts';
import { identityName } from '../../auth/identity.ts';
import { IdnError } from '../../errors/idn-error.ts';
import { Perm } from '../../records/permissions.ts';
import { ErrorResponse } from '../../records/schema.ts';
import type { AppContext } from '../app-context.ts';
import { homedPrefix, idempotencyKey, requireIdentity, requireOnPrefix } from './admin-common.ts';

const NDJSON = 'application/x-ndjson';
/** Generous caps for this route only: the body is streamed, never held, so only abuse is bounded. */
const MAX_BODY_BYTES = 2 * 1024 ** 3;
const MAX_LINE_CHARS = 64 * 1024;
const HANDLER_TIMEOUT_MS = 30 * 60_000;

const Params = Type.Object({ prefix: Type.String({ maxLength: 64 }) });
type Params = Static<typeof Params>;

type LineOutcome = { readonly bad: Record<string, unknown> } | { readonly good: true };

function parseLine(line: string, position: number): { item: SuffixItem } | { bad: Record<string, unknown> } {
  const fail = (code: string, message: string) => ({ bad: { position, ok: false, code, message } });
  if (line.length > MAX_LINE_CHARS)
    return fail('IDN_ERR_BODY_TOO_LARGE', `A line is longer than ${MAX_LINE_CHARS} characters.`);
  let item: unknown;
  try {
    item = JSON.parse(line);
  } catch {
    return fail('IDN_ERR_MALFORMED_BODY', 'The line is not valid JSON.');
  }
  const o = item as { suffix?: unknown; values?: unknown; idempotencyKey?: unknown } | null;
  if (typeof o !== 'object' || o === null || typeof o.suffix !== 'string' || !Array.isArray(o.values)) {
    return fail('IDN_ERR_INVALID_RECORD', 'Each line needs {"suffix": string, "values": [...]}.');
  }
  return { item: o as SuffixItem };
}

/**
 * Reads the body line by line. Bad lines become results at once; good ones go to the registry.
 * `outcomes` keeps the input order of both, so the response can interleave them.
 */
async function* items(body: NodeJS.ReadableStream, outcomes: LineOutcome[]): AsyncGenerator<SuffixItem> {
  let bytes = 0;
  let position = 0;
  const lines = createInterface({ input: body, crlfDelay: Infinity });
  for await (const line of lines) {
    bytes += Buffer.byteLength(line) + 1;
    if (bytes > MAX_BODY_BYTES)
      throw new IdnError('IDN_ERR_BODY_TOO_LARGE', `The batch exceeds ${MAX_BODY_BYTES} bytes.`);
    if (line.trim() === '') continue;
    const parsed = parseLine(line, position++);
    if ('bad' in parsed) outcomes.push(parsed);
    else {
      outcomes.push({ good: true });
      yield parsed.item;
    }
  }
}

/** One NDJSON line per input line, in input order; `position` counts non-empty input lines from 0. */
async function* results(
  registry: SuffixRegistry,
  prefix: string,
  body: NodeJS.ReadableStream,
  opts: { actor: string; idempotencyKey: string },
): AsyncGenerator<string> {
  const outcomes: LineOutcome[] = [];
  const line = (o: unknown): string => `${JSON.stringify(o)}\n`;
  // Bad lines queued before the next good one go out first: the registry yields good items in order.
  function* badLines(): Generator<string> {
    while (outcomes.length > 0 && 'bad' in outcomes[0]!) yield line((outcomes.shift() as { bad: unknown }).bad);
  }
  let done = 0;
  try {
    for await (const r of registry.registerBatch(prefix, items(body, outcomes), opts)) {
      for (const l of badLines()) {
        done += 1;
        yield l;
      }
      outcomes.shift();
      yield line(renumber(r, done++));
    }
    yield* badLines();
  } catch (e) {
    // The stream itself failed (body cut, too large): said as the last line; earlier lines stand.
    const err =
      e instanceof IdnError ? e : new IdnError('IDN_ERR_MALFORMED_BODY', 'The request body ended abnormally.');
    yield line({ ok: false, code: err.code, message: err.message, fatal: true });
  }
}

/** The registry numbers only the good items; the response numbers every line. */
const renumber = (r: ItemResult, position: number): ItemResult => ({ ...r, position });

async function authorise(
  ctx: AppContext,
  request: FastifyRequest<{ Params: Params }>,
): Promise<{ prefix: string; actor: string }> {
  const identity = await requireIdentity(ctx, request);
  const prefix = homedPrefix(ctx, request.params.prefix);
  // An enterprise admin registers under its own prefix only: ADD_HANDLE on 0.NA/<prefix>.
  await requireOnPrefix(ctx, identity, prefix, Perm.ADD_HANDLE);
  return { prefix, actor: identityName(identity) };
}

/** POST /api/admin/prefixes/{prefix}/identifiers:batch - NDJSON in, NDJSON out, both streamed. */
export function registerAdminIdentifiersBatch(app: FastifyInstance, ctx: AppContext): void {
  void app.register((scope, _opts, done) => {
    // Only inside this plugin: hand the raw request stream to the handler instead of buffering it.
    scope.addContentTypeParser(NDJSON, (_request, payload, next) => next(null, payload));
    scope.post<{ Params: Params }>(
      '/api/admin/prefixes/:prefix/identifiers::batch',
      {
        handlerTimeout: HANDLER_TIMEOUT_MS,
        schema: {
          summary: 'Register identifiers in bulk: one JSON item per line, one result per line',
          tags: ['registry'],
          params: Params,
          response: { '4xx': ErrorResponse },
        },
      },
      async (request, reply) => {
        if (!(request.headers['content-type'] ?? '').startsWith(NDJSON)) {
          throw new IdnError('IDN_ERR_UNSUPPORTED_MEDIA_TYPE', `The batch body must be ${NDJSON}.`);
        }
        const { prefix, actor } = await authorise(ctx, request);
        const registry = new SuffixRegistry(ctx.legacyStore);
        const body = request.body as NodeJS.ReadableStream;
        const out = Readable.from(results(registry, prefix, body, { actor, idempotencyKey: idempotencyKey(request) }));
        return reply.code(200).type(`${NDJSON}; charset=utf-8`).send(out);
      },
    );
    done();
  });
}
