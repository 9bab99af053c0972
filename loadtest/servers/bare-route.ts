import Fastify from 'fastify';

/**
 * The baseline: fastify 5 answering a fixed body, configured like the node where it matters (no
 * logger, no per-request logging, same keep-alive). The node's ratio to this is the figure that
 * survives a noisy machine.
 */

const BODY = { responseCode: 1, handle: '88.100.5/BARE', values: [] } as const;

const app = Fastify({ logger: false, keepAliveTimeout: 5_000, connectionTimeout: 30_000, requestTimeout: 30_000 });
app.get('/', (_request, reply) => reply.send(BODY));
app.get('/livez', (_request, reply) => reply.send({ status: 'ok' }));

const port = Number(process.env.BARE_PORT ?? '0');
await app.listen({ port, host: '127.0.0.1' });
process.once('SIGTERM', () => void app.close().then(() => process.exit(0)));
