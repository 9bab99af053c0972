import { readFileSync } from 'node:fs';
import Fastify from 'fastify';

/**
 * The baseline of `npm run bench`: fastify 5 and a Map of the same identifiers answering the same
 * shape as the node, without idnode. BARE_ANSWERS names a JSON file written by the harness from
 * the node's own answers: path -> { status, location?, body?, contentType? }, plus the 404 body
 * for paths the Map lacks (one for the API route, one for the QR route), so every byte count
 * matches. Configured like the node where it matters (no logger, same keep-alive).
 */

interface Answer {
  readonly status: number;
  readonly location?: string;
  readonly body?: string;
  readonly contentType?: string;
}

interface AnswersFile {
  readonly answers: Record<string, Answer>;
  readonly apiMiss: Answer;
  readonly qrMiss: Answer;
}

const file = JSON.parse(readFileSync(process.env.BARE_ANSWERS ?? '', 'utf8')) as AnswersFile;
const answers = new Map(Object.entries(file.answers));

const app = Fastify({ logger: false, keepAliveTimeout: 5_000, connectionTimeout: 30_000, requestTimeout: 30_000 });
app.get('/livez', (_request, reply) => reply.send({ status: 'ok' }));
app.get('/*', (request, reply) => {
  const a = answers.get(request.url) ?? (request.url.startsWith('/api/') ? file.apiMiss : file.qrMiss);
  reply.code(a.status);
  if (a.location !== undefined) reply.header('location', a.location);
  if (a.contentType !== undefined) reply.header('content-type', a.contentType);
  return reply.send(a.body);
});

const port = Number(process.env.BARE_PORT ?? '0');
await app.listen({ port, host: '127.0.0.1' });
process.once('SIGTERM', () => void app.close().then(() => process.exit(0)));
