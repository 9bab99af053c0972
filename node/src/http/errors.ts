import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { ConnectionError, FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ERRORS, type ErrorCode } from '../errors/codes.ts';
import { IdnError, isIdnError } from '../errors/idn-error.ts';

/** The JSON error body: Handle's `{responseCode, handle, message}` plus our machine-readable `code`. */
export function errorBody(e: IdnError, handle?: string): Record<string, unknown> {
  const body: Record<string, unknown> = { responseCode: e.spec.rc, code: e.code, message: e.message };
  if (handle !== undefined) body.handle = handle;
  if (e.detail !== undefined) body.detail = e.detail;
  return body;
}

const ANSWERED_WITH = Symbol('idnode.error');

/**
 * Declares the reply's error slot (buildServer, before any route or scope): every reply is then
 * built with it, so marking an error (each "not found" of a flood) changes no object shape.
 */
export function declareErrorSlot(app: FastifyInstance): void {
  app.decorateReply(ANSWERED_WITH, null);
}

/** Sent by the web console on every API call (node/console/js/api.js). */
export const CONSOLE_HEADER = 'x-idnode-console';

/** Remembers which coded error a reply carries, for the access log (Handle code and IDN_ERR code). */
export function markError(reply: FastifyReply, e: IdnError): void {
  (reply as unknown as Record<symbol, IdnError>)[ANSWERED_WITH] = e;
}

export function errorOf(reply: FastifyReply): IdnError | undefined {
  return (reply as unknown as Record<symbol, IdnError | null | undefined>)[ANSWERED_WITH] ?? undefined;
}

/** Marks the reply for the access log and adds the headers the error calls for (a challenge, a retry hint). */
export function prepareError(reply: FastifyReply, e: IdnError): FastifyReply {
  markError(reply, e);
  if (e.code === 'IDN_ERR_AUTH_REQUIRED' || e.code === 'IDN_ERR_AUTH_FAILED') {
    // Not to the console: a browser answers a Basic challenge to fetch() with its own password
    // dialog (or, headless, waits forever); the console signs in with its form instead.
    if (reply.request.headers[CONSOLE_HEADER] === undefined) {
      reply.header('www-authenticate', 'Basic realm="idnode", charset="UTF-8"');
    }
  }
  if (e.code === 'IDN_ERR_RATE_LIMITED') reply.header('retry-after', '1');
  const retry = e.detail?.retryAfterSeconds;
  if (typeof retry === 'number') reply.header('retry-after', String(retry));
  return reply;
}

export function sendError(reply: FastifyReply, e: IdnError, handle?: string): FastifyReply {
  prepareError(reply, e);
  return reply.code(e.spec.http).type('application/json; charset=utf-8').send(errorBody(e, handle));
}

/** Fastify's own errors (body limit, bad JSON, schema validation, ...) mapped onto our codes. */
const FASTIFY_CODES: Record<string, ErrorCode> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'IDN_ERR_BODY_TOO_LARGE',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'IDN_ERR_UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'IDN_ERR_BAD_REQUEST',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'IDN_ERR_MALFORMED_BODY',
  FST_ERR_CTP_INVALID_JSON_BODY: 'IDN_ERR_MALFORMED_BODY',
  FST_ERR_BAD_URL: 'IDN_ERR_BAD_PERCENT_ENCODING',
  FST_ERR_ASYNC_CONSTRAINT: 'IDN_ERR_BAD_REQUEST',
  FST_ERR_HANDLER_TIMEOUT: 'IDN_ERR_TIMEOUT',
};

/** What toIdnError needs of the request: whether its body is a record, and the route's body limit. */
export interface ErrorRoute {
  readonly takesRecord: boolean;
  readonly bodyLimit: number | undefined;
}

/** Only the record PUT takes a record; the other bodies (tokens, applications, serials, sign-in) are not records. */
function validationCode(fe: FastifyError, route: ErrorRoute | undefined): ErrorCode {
  if (fe.validationContext !== 'body') return 'IDN_ERR_INVALID_QUERY';
  return route?.takesRecord === false ? 'IDN_ERR_INVALID_BODY' : 'IDN_ERR_INVALID_RECORD';
}

export function routeOf(request: FastifyRequest): ErrorRoute {
  const url = request.routeOptions.url ?? '';
  return {
    takesRecord: request.method === 'PUT' && url.startsWith('/api/handles/'),
    bodyLimit: request.routeOptions.bodyLimit,
  };
}

/** "exceeds the limit" says which: the route's body limit, in bytes. */
function tooLarge(route: ErrorRoute | undefined): IdnError {
  if (route?.bodyLimit === undefined) return new IdnError('IDN_ERR_BODY_TOO_LARGE');
  return new IdnError(
    'IDN_ERR_BODY_TOO_LARGE',
    `The request body exceeds this route's limit of ${route.bodyLimit} bytes.`,
    {
      limitBytes: route.bodyLimit,
    },
  );
}

export function toIdnError(err: FastifyError | Error, route?: ErrorRoute): IdnError {
  if (isIdnError(err)) return err;
  const fe = err as FastifyError;
  if (fe.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return tooLarge(route);
  if (fe.validation) {
    const where = validationCode(fe, route);
    const issues = fe.validation.map((v) => ({
      path: `${fe.validationContext ?? ''}${v.instancePath}`,
      problem: v.message,
    }));
    return new IdnError(where, `${ERRORS[where].message} ${issues.map((i) => `${i.path}: ${i.problem}`).join('; ')}`, {
      issues,
    });
  }
  if (fe.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || err instanceof SyntaxError) {
    return new IdnError('IDN_ERR_MALFORMED_BODY', `The request body is not valid JSON: ${err.message}`);
  }
  const mapped = fe.code === undefined ? undefined : FASTIFY_CODES[fe.code];
  if (mapped) return new IdnError(mapped);
  if (typeof fe.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500) {
    return new IdnError('IDN_ERR_BAD_REQUEST', err.message);
  }
  return new IdnError('IDN_ERR_INTERNAL');
}

/** A thrown error as a coded one; runtime errors are reported and the node keeps serving. */
export function reportedError(err: FastifyError | Error, request: FastifyRequest): IdnError {
  const e = toIdnError(err, routeOf(request));
  // Client errors are not server faults: only 5xx are logged as errors.
  if (e.spec.http >= 500) request.log.error({ err, code: e.code }, 'request failed');
  return e;
}

export function errorHandler(err: FastifyError, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  return sendError(reply, reportedError(err, request));
}

/** Node's HTTP parser errors that come before any request exists (no route, no reply object). */
const CLIENT_ERRORS: Record<string, ErrorCode> = {
  HPE_HEADER_OVERFLOW: 'IDN_ERR_HEADERS_TOO_LARGE',
  ERR_HTTP_REQUEST_TIMEOUT: 'IDN_ERR_CLIENT_TIMEOUT',
};

/**
 * A request the HTTP parser refuses (oversized URL or headers, raw non-ASCII or control bytes in
 * the request line) still gets an error body from the table, then the connection is closed.
 */
export function clientErrorHandler(err: ConnectionError, socket: Socket): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const e = new IdnError((err.code === undefined ? undefined : CLIENT_ERRORS[err.code]) ?? 'IDN_ERR_BAD_REQUEST');
  const body = JSON.stringify(errorBody(e));
  // A response to HEAD has no body; bytes after the headers would corrupt the client's parser.
  const raw: unknown = err.rawPacket; // a Buffer at run time, whatever the type says
  const head = Buffer.isBuffer(raw) && raw.subarray(0, 5).toString('latin1') === 'HEAD ';
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${e.spec.http} ${STATUS_CODES[e.spec.http] ?? ''}\r\nContent-Type: application/json; charset=utf-8\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${head ? '' : body}`,
    );
  }
  socket.destroy(err);
}
