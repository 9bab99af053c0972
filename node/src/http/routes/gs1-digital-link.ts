import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { IdnError } from '../../errors/idn-error.ts';
import { parseIdentifier } from '../../identifier/index.ts';
import { PRIMARY_KEY_AIS } from '../../passport/gs1-keys.ts';
import {
  checkGs1Query,
  gs1Identifier,
  gs1PathOfSuffix,
  gs1PathString,
  parseGs1Path,
  type Gs1Path,
} from '../../passport/gs1.ts';
import { publicBase } from '../../passport/settings.ts';
import type { AppContext } from '../app-context.ts';
import { rawPathTail } from '../raw-identifier.ts';
import { answerScan, scanErrorHandler } from './proxy.ts';

/**
 * GS1 Digital Link: `/{primary key AI}/{value}[/{qualifier AI}/{value}]...` (01, 00, 253, 255,
 * 401, 402, 414, 417, 8003, 8004, 8006, 8010, 8017, 8018 and their key qualifiers) resolves the
 * identifier `<IDNODE_GS1_PREFIX>/{AI}/{value}/...` exactly like the QR route, with the
 * uncompressed Digital Link URL (GTIN as 14 digits) as the linkset anchor. Default prefix: the
 * first homed prefix. Syntax errors, in the path or in a GS1 data attribute of the query, are 400s.
 */

export interface DigitalLinkOptions {
  /** Link header entries every answer carries (a compressed request: `<uncompressed>; rel="owl:sameAs"`). */
  readonly links?: readonly string[];
}

/** The prefix Digital Link paths map under: configured, else the first homed prefix. */
export const gs1PrefixOf = (ctx: AppContext): string | undefined => ctx.passport.gs1Prefix ?? ctx.homed.prefixes[0];

/**
 * Resolves a parsed Digital Link path and answers as the route does. The compressed-URI route
 * (passport/gs1-compression) calls this with the decompressed path and its owl:sameAs link.
 */
export async function answerDigitalLink(
  app: FastifyInstance,
  request: FastifyRequest,
  reply: FastifyReply,
  ctx: AppContext,
  path: Gs1Path,
  opts: DigitalLinkOptions = {},
): Promise<FastifyReply> {
  const prefix = gs1PrefixOf(ctx);
  if (prefix === undefined) throw new IdnError('IDN_ERR_GS1_NOT_CONFIGURED');
  checkGs1Query(request.query as Record<string, unknown>);
  const id = parseTypedPath(prefix, path);
  const base = publicBase(app, ctx.passport);
  const anchorOf = (handle: string): string => {
    const p = gs1PathOfSuffix(handle.slice(handle.indexOf('/') + 1));
    return p === undefined ? `${base}/${handle}` : `${base}/${gs1PathString(p)}`;
  };
  return answerScan(request, reply, ctx, id, {
    anchor: `${base}/${gs1PathString(path)}`,
    anchorOf,
    ...(opts.links === undefined ? {} : { links: opts.links }),
  });
}

/**
 * The identifier a Digital Link path maps to. Its grammar errors name positions in what the user
 * typed (the path after the host's "/", as the percent-encoding errors of parseGs1Path do), not in
 * the internal `<prefix>/...` identifier the user never wrote.
 */
function parseTypedPath(prefix: string, path: Gs1Path): ReturnType<typeof parseIdentifier> {
  try {
    return parseIdentifier(gs1Identifier(prefix, path), 'text');
  } catch (e) {
    if (!(e instanceof IdnError)) throw e;
    const shift = [...prefix].length + 1;
    const at = (n: string) => String(Math.max(1, Number(n) - shift));
    const message = e.message.replace(
      /(at characters? )(\d+)(?:-(\d+))?/g,
      (_m, lead: string, a: string, b?: string) => (b === undefined ? `${lead}${at(a)}` : `${lead}${at(a)}-${at(b)}`),
    );
    const pos = e.detail?.position;
    const detail = typeof pos === 'number' ? { ...e.detail, position: Math.max(1, pos - shift) } : e.detail;
    throw new IdnError(e.code, message, detail === undefined ? undefined : { ...detail });
  }
}

export function registerGs1DigitalLink(app: FastifyInstance, ctx: AppContext): void {
  for (const ai of PRIMARY_KEY_AIS) {
    app.get(
      `/${ai}/*`,
      {
        schema: { summary: 'GS1 Digital Link resolution', tags: ['resolution'] },
        errorHandler: scanErrorHandler(ctx),
      },
      async (request, reply) => {
        const path = parseGs1Path(rawPathTail(request.url, 1));
        return answerDigitalLink(app, request, reply, ctx, path);
      },
    );
  }
}

/**
 * Answers the Digital Link path `tail` (after the leading "/", still percent-encoded); the
 * compressed routes (gs1-compressed.ts) answer their decompressed path through it.
 */
export function answerDigitalLinkPath(
  app: FastifyInstance,
  ctx: AppContext,
  request: FastifyRequest,
  reply: FastifyReply,
  tail: string,
): Promise<FastifyReply> {
  return answerDigitalLink(app, request, reply, ctx, parseGs1Path(tail));
}
