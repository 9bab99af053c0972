import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { IdnError } from '../../errors/idn-error.ts';
import { parseIdentifier } from '../../identifier/index.ts';
import { gs1Identifier, gs1PathString, parseGs1Path } from '../../passport/gs1.ts';
import { publicBase } from '../../passport/settings.ts';
import type { AppContext } from '../app-context.ts';
import { rawPathTail } from '../raw-identifier.ts';
import { answerScan, scanErrorHandler } from './proxy.ts';

/**
 * Answers the Digital Link path `tail` (`01/...` after the leading "/", still percent-encoded);
 * the compressed routes (gs1-compressed.ts) answer their decompressed path through it.
 */
export async function answerDigitalLinkPath(
  app: FastifyInstance,
  ctx: AppContext,
  request: FastifyRequest,
  reply: FastifyReply,
  tail: string,
): Promise<FastifyReply> {
  const prefix = ctx.passport.gs1Prefix ?? ctx.homed.prefixes[0];
  if (prefix === undefined) throw new IdnError('IDN_ERR_GS1_NOT_CONFIGURED');
  const path = parseGs1Path(tail);
  const id = parseIdentifier(gs1Identifier(prefix, path), 'text');
  return answerScan(request, reply, ctx, id, `${publicBase(app, ctx.passport)}/${gs1PathString(path)}`);
}

/**
 * GS1 Digital Link: `/01/{gtin}[/22/{cpv}][/10/{lot}][/21/{serial}]` resolves the identifier
 * `<IDNODE_GS1_PREFIX>/01/{gtin14}/...` exactly like the QR route, with the Digital Link URL
 * (GTIN as 14 digits) as the linkset anchor. Default prefix: the first homed prefix.
 */
export function registerGs1DigitalLink(app: FastifyInstance, ctx: AppContext): void {
  app.get(
    '/01/*',
    {
      schema: { summary: 'GS1 Digital Link resolution', tags: ['resolution'] },
      errorHandler: scanErrorHandler(ctx),
    },
    async (request, reply) => answerDigitalLinkPath(app, ctx, request, reply, rawPathTail(request.url, 1)),
  );
}
