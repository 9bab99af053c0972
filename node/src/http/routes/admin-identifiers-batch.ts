import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Readable } from 'node:stream';
import { Compile } from 'typebox/compile';
import { Type, type Static } from 'typebox';
import { lineHash, type ApplyBatch, type BatchLine, type SuffixBatch } from '../../../../prefix-registry/src/index.ts';
import type { Identity } from '../../auth/identity.ts';
import { IdnError } from '../../errors/idn-error.ts';
import { Perm } from '../../records/permissions.ts';
import { ErrorResponse, ValueInput } from '../../records/schema.ts';
import { clientPrincipal } from '../../write/principal.ts';
import type { AppContext } from '../app-context.ts';
import { clientIdempotencyKey, homedPrefix, requireIdentity, requireOnPrefix } from './admin-common.ts';
import { IDLE, linesOf } from './ndjson-lines.ts';

const NDJSON = 'application/x-ndjson';
/** Generous caps for this route only: the body is streamed, never held, so only abuse is bounded. */
const MAX_BODY_BYTES = 2 * 1024 ** 3;
const MAX_LINE_CHARS = 64 * 1024;
const HANDLER_TIMEOUT_MS = 30 * 60_000;
/**
 * Lines per commit: one durable sync is shared by this many identifiers, and an acknowledged line
 * is always a synced one. Two or three chunks are in flight so parsing the next overlaps the sync.
 */
const CHUNK_LINES = 2000;
export const CHUNKS_IN_FLIGHT = 3;
/** A body that pauses this long gets its pending lines committed and answered, not held. */
const IDLE_FLUSH_MS = 25;

const Params = Type.Object({ prefix: Type.String({ maxLength: 64 }) });
type Params = Static<typeof Params>;

/** A line as PUT's body schema sees a record: the same shape errors, IDN_ERR_INVALID_RECORD. */
const LineSchema = Type.Object({
  suffix: Type.String(),
  values: Type.Array(ValueInput, { maxItems: 100 }),
  idempotencyKey: Type.Optional(Type.String({ minLength: 1, maxLength: 256 })),
});
const lineCheck = Compile(LineSchema);

type Line = { readonly bad: Record<string, unknown> } | { readonly good: BatchLine };

function parseLine(line: string, position: number): Line {
  const fail = (code: string, message: string): Line => ({ bad: { position, ok: false, code, message } });
  if (line.length > MAX_LINE_CHARS)
    return fail('IDN_ERR_BODY_TOO_LARGE', `A line is longer than ${MAX_LINE_CHARS} characters.`);
  let item: unknown;
  try {
    item = JSON.parse(line);
  } catch {
    return fail('IDN_ERR_MALFORMED_BODY', 'The line is not valid JSON.');
  }
  const o = item as { suffix?: unknown; values?: unknown } | null;
  if (typeof o !== 'object' || o === null || typeof o.suffix !== 'string' || !Array.isArray(o.values)) {
    return fail('IDN_ERR_INVALID_RECORD', 'Each line needs {"suffix": string, "values": [...]}.');
  }
  if (!lineCheck.Check(item)) {
    const first = lineCheck.Errors(item)[0];
    const where = first === undefined ? '' : ` ${first.instancePath || '/'}: ${first.message}`;
    return fail('IDN_ERR_INVALID_RECORD', `The line does not match the record schema.${where}`);
  }
  return { good: { position, item, hash: lineHash(line) } };
}

const json = (o: unknown): string => `${JSON.stringify(o)}\n`;

/** One chunk: its good lines registered in one commit; the response lines of all of it, in order. */
async function runChunk(batch: SuffixBatch, lines: readonly Line[], apply: ApplyBatch): Promise<string> {
  const good = lines.flatMap((l) => ('good' in l ? [l.good] : []));
  const results = good.length === 0 ? [] : await batch.register(good, apply);
  let next = 0;
  let out = '';
  for (const l of lines) out += json('bad' in l ? l.bad : results[next++]);
  return out;
}

/**
 * One NDJSON line per input line, in input order; `position` counts non-empty input lines from 0.
 * Lines go out only after the commit holding them has synced.
 */
async function* results(batch: SuffixBatch, body: NodeJS.ReadableStream, apply: ApplyBatch): AsyncGenerator<string> {
  const inFlight: Promise<string>[] = [];
  let chunk: Line[] = [];
  const flush = (): void => {
    if (chunk.length === 0) return;
    inFlight.push(runChunk(batch, chunk, apply));
    chunk = [];
  };
  let bytes = 0;
  let position = 0;
  try {
    for await (const line of linesOf(body, IDLE_FLUSH_MS)) {
      if (line === IDLE) {
        // A slow client gets every line it sent answered, not held for a chunk that may never fill.
        flush();
        while (inFlight.length > 0) yield await inFlight.shift()!;
        continue;
      }
      bytes += Buffer.byteLength(line) + 1;
      if (bytes > MAX_BODY_BYTES)
        throw new IdnError('IDN_ERR_BODY_TOO_LARGE', `The batch exceeds ${MAX_BODY_BYTES} bytes.`);
      if (line.trim() === '') continue;
      chunk.push(parseLine(line, position++));
      if (chunk.length >= CHUNK_LINES) flush();
      while (inFlight.length >= CHUNKS_IN_FLIGHT) yield await inFlight.shift()!;
    }
    flush();
    while (inFlight.length > 0) yield await inFlight.shift()!;
  } catch (e) {
    // The stream itself failed (body cut, too large): said as the last line; earlier lines stand,
    // including those of chunks already committing.
    while (inFlight.length > 0) yield await inFlight.shift()!;
    const err =
      e instanceof IdnError ? e : new IdnError('IDN_ERR_MALFORMED_BODY', 'The request body ended abnormally.');
    yield json({ ok: false, code: err.code, message: err.message, fatal: true });
  }
}

async function authorise(ctx: AppContext, request: FastifyRequest<{ Params: Params }>) {
  const identity: Identity = await requireIdentity(ctx, request);
  const prefix = homedPrefix(ctx, request.params.prefix);
  // An enterprise admin registers under its own prefix only: ADD_HANDLE on 0.NA/<prefix>. (Each
  // line is authorised again by RecordService, exactly as a PUT would be.)
  await requireOnPrefix(ctx, identity, prefix, Perm.ADD_HANDLE);
  return { prefix, identity };
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
        const { prefix, identity } = await authorise(ctx, request);
        const key = clientIdempotencyKey(request);
        const batch = await ctx.registry.suffixes.openBatch(prefix, key === undefined ? {} : { idempotencyKey: key });
        // The caller's own HS_ADMIN rights apply to every line, as for PUT.
        const who = clientPrincipal(identity);
        const apply: ApplyBatch = (b) => ctx.records.applyEach(b, who);
        const out = Readable.from(results(batch, request.body as NodeJS.ReadableStream, apply));
        return reply.code(200).type(`${NDJSON}; charset=utf-8`).send(out);
      },
    );
    done();
  });
}
