import type { FastifyInstance, FastifyReply } from 'fastify';
import { IdnError } from '../../errors/idn-error.ts';
import { parseTilePath, TILE_WIDTH, type TileAddress } from '../../tlog/tile-path.ts';
import type { TransparencyLog } from '../../tlog/transparency-log.ts';
import { entryBundle } from '../../tlog/entry-bundle.ts';
import type { AppContext } from '../app-context.ts';
import { sendError } from '../errors.ts';

/**
 * C2SP tlog-tiles (v0.1.0): the checkpoint, hash tiles and entry bundles under /log. Full tiles
 * never change (cached for a year, immutable); partial tiles and the checkpoint are short-lived.
 */
export const LOG_PREFIX = '/log/';
const FULL = 'public, max-age=31536000, immutable';
const PARTIAL = 'public, max-age=60';
const CHECKPOINT = 'public, max-age=1';
const BINARY = 'application/octet-stream';

function logOf(ctx: AppContext): TransparencyLog {
  if (!ctx.tlog) throw new IdnError('IDN_ERR_TLOG_DISABLED');
  return ctx.tlog;
}

async function tileBytes(log: TransparencyLog, ctx: AppContext, t: TileAddress): Promise<Buffer | undefined> {
  if (t.level !== 'entries') return log.tree.tile(t.level, t.index, t.width);
  const first = t.index * TILE_WIDTH;
  // Only leaves already hashed into the tiles: a bundle always matches its level-0 tile.
  if (first + t.width > log.tree.size) return undefined;
  return entryBundle(await ctx.store.changesSince(first, t.width));
}

function send(reply: FastifyReply, bytes: Buffer, full: boolean): FastifyReply {
  return reply
    .header('cache-control', full ? FULL : PARTIAL)
    .header('access-control-allow-origin', '*')
    .type(BINARY)
    .send(bytes);
}

/** Registered apart from the resolution routes: nothing here runs on a resolution request. */
export function registerLogTiles(app: FastifyInstance, ctx: AppContext): void {
  const hidden = { schema: { hide: true } };
  app.get(`${LOG_PREFIX}checkpoint`, hidden, (_request, reply) =>
    reply
      .header('cache-control', CHECKPOINT)
      .header('access-control-allow-origin', '*')
      .type('text/plain; charset=utf-8')
      .send(logOf(ctx).served),
  );
  // Not a tlog-tiles resource: the note verifier key, for trust on first use (idnode verify).
  app.get(`${LOG_PREFIX}vkey`, hidden, (_request, reply) =>
    reply
      .header('cache-control', CHECKPOINT)
      .type('text/plain; charset=utf-8')
      .send(`${logOf(ctx).signer.vkey}\n`),
  );
  app.get(`${LOG_PREFIX}tile/*`, hidden, async (request, reply) => {
    const log = logOf(ctx);
    const rest = request.url.slice(`${LOG_PREFIX}tile/`.length).split('?')[0] ?? '';
    const t = parseTilePath(rest);
    if (!t) return sendError(reply, new IdnError('IDN_ERR_TLOG_BAD_PATH', undefined, { path: rest }));
    const bytes = await tileBytes(log, ctx, t);
    if (!bytes) return sendError(reply, new IdnError('IDN_ERR_TLOG_TILE_NOT_FOUND'));
    return send(reply, bytes, t.width === TILE_WIDTH);
  });
}
