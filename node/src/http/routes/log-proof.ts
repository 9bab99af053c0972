import type { FastifyInstance, FastifyReply } from 'fastify';
import { Type, type Static } from 'typebox';
import { IdnError } from '../../errors/idn-error.ts';
import { parseIdentifier } from '../../identifier/index.ts';
import { proofFor, tlogProofText } from '../../tlog/proofs.ts';
import type { AppContext } from '../app-context.ts';
import { rawPathTail } from '../raw-identifier.ts';
import { LOG_PREFIX } from './log-tiles.ts';

/** The header a `?proof=true` answer carries: base64 of the C2SP tlog-proof@v1 text (proofs.ts). */
export const PROOF_HEADER = 'idnode-tlog-proof';

const PROOF_PREFIX = `${LOG_PREFIX}proof/`;
const ProofQuery = Type.Object({ version: Type.Optional(Type.Integer({ minimum: 1 })) });

/** Adds the proof of `version` of `handle` to an answer; refuses when the log is off or has no such entry. */
export async function attachProof(
  reply: FastifyReply,
  ctx: AppContext,
  handle: string,
  version: number,
): Promise<void> {
  if (!ctx.tlog) throw new IdnError('IDN_ERR_TLOG_DISABLED');
  const proof = await proofFor(ctx.tlog, ctx.store, parseIdentifier(handle, 'uri').key, version);
  if (!proof) throw new IdnError('IDN_ERR_TLOG_NOT_LOGGED');
  reply.header(PROOF_HEADER, Buffer.from(tlogProofText(proof)).toString('base64'));
}

/**
 * GET /log/proof/{id}[?version=N]: the proof of any version of an identifier as JSON (leaf,
 * value digests, inclusion path, checkpoint). Leaves carry digests, never values, so the proof of
 * a record's history discloses no value a reader could not see.
 */
export function registerLogProof(app: FastifyInstance, ctx: AppContext): void {
  app.get<{ Querystring: Static<typeof ProofQuery> }>(
    `${PROOF_PREFIX}*`,
    { schema: { hide: true, querystring: ProofQuery } },
    async (request, reply) => {
      if (!ctx.tlog) throw new IdnError('IDN_ERR_TLOG_DISABLED');
      const id = parseIdentifier(rawPathTail(request.url, PROOF_PREFIX.length), 'uri');
      const proof = await proofFor(ctx.tlog, ctx.store, id.key, request.query.version);
      if (!proof) throw new IdnError('IDN_ERR_TLOG_NOT_LOGGED', undefined, { handle: id.handle });
      return reply.header('cache-control', 'no-store').send({ handle: id.handle, ...proof });
    },
  );
}
