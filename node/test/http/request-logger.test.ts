import { Writable } from 'node:stream';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { requestLogger } from '../../src/http/request-logger.ts';

/** The logger fastify is given (server.ts): its children are made once, then are themselves. */

function capture(): { lines: Record<string, unknown>[]; out: Writable } {
  const lines: Record<string, unknown>[] = [];
  const out = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      done();
    },
  });
  return { lines, out };
}

describe('requestLogger', () => {
  it("fastify's logger is a child of the root with fastify's options, and its children are itself", () => {
    const { lines, out } = capture();
    const root = pino({ level: 'info' }, out);
    const fastifyLogger = requestLogger(root).child({}, { serializers: { err: () => 'serialised' } });
    const perRequest = fastifyLogger.child({ reqId: 'req-1' }, {});
    expect(perRequest).toBe(fastifyLogger);
    perRequest.error({ err: new Error('x') }, 'request failed');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 50, msg: 'request failed', err: 'serialised' });
    expect(lines[0]).not.toHaveProperty('reqId');
  });

  it('leaves the root logger as it was', () => {
    const { lines, out } = capture();
    const root = pino({ level: 'info' }, out);
    requestLogger(root).child({}, {});
    const access = root.child({ log: 'access' });
    expect(access).not.toBe(root);
    access.info('line');
    expect(lines[0]).toMatchObject({ log: 'access', msg: 'line' });
  });
});
