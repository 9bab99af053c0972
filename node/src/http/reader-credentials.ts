import type { FastifyRequest } from 'fastify';
import { NO_CREDENTIALS, type ReaderCredentials } from '../resolve/answer.ts';

/**
 * What a read presents: its Authorization header and, only then, the caller's address (the
 * wrong-secret backoff is keyed on it). An anonymous scan costs one shared constant.
 */
export function readerCredentials(request: FastifyRequest): ReaderCredentials {
  const authorization = request.headers.authorization;
  return authorization === undefined ? NO_CREDENTIALS : { authorization, client: request.ip };
}
