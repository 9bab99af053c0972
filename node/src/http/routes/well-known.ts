import type { FastifyInstance } from 'fastify';
import { resolverDescription } from '../../passport/resolver-description.ts';
import { publicBase } from '../../passport/settings.ts';
import type { AppContext } from '../app-context.ts';

/** GET /.well-known/gs1resolver (GS1 resolver discovery) and its alias /.well-known/idnode-resolver. */
export function registerWellKnown(app: FastifyInstance, ctx: AppContext): void {
  const settings = ctx.passport;
  const handler = () => {
    const gs1Prefix = settings.gs1Prefix ?? ctx.homed.prefixes[0];
    return resolverDescription({ root: publicBase(app, settings), prefixes: ctx.homed.prefixes, gs1Prefix });
  };
  for (const path of ['/.well-known/gs1resolver', '/.well-known/idnode-resolver']) {
    app.get(
      path,
      { schema: { summary: 'Resolver description (GS1 resolver discovery)', tags: ['resolution'] } },
      (_request, reply) =>
        reply.header('cache-control', 'public, max-age=3600').type('application/json; charset=utf-8').send(handler()),
    );
  }
  registerJwks(app, ctx);
}

/**
 * GET /.well-known/jwks.json: the public keys that sign this node's answers (ADR 0011), current
 * first, then the previous one (still valid for answers signed before a rotation). `kid` is the
 * RFC 7638 thumbprint, as in the signatures' `keyid`. Short-lived in caches: a rotation shows soon.
 */
function registerJwks(app: FastifyInstance, ctx: AppContext): void {
  const signing = ctx.signing;
  if (signing === undefined) return;
  app.get(
    '/.well-known/jwks.json',
    { schema: { summary: 'Public keys of the answer signatures (JWK Set, Ed25519)', tags: ['resolution'] } },
    (_request, reply) =>
      reply
        .header('cache-control', 'public, max-age=60')
        .type('application/jwk-set+json')
        .send(JSON.stringify(signing.keys.jwks())),
  );
}
