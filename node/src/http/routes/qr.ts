import type { FastifyInstance } from 'fastify';
import { Type, type Static } from 'typebox';
import { IdnError } from '../../errors/idn-error.ts';
import { ErrorResponse } from '../../records/schema.ts';
import { qrFor, QR_FORMATS, QR_SIZE, type QrFormat } from '../../passport/qr.ts';
import { publicBase, resolverUrl } from '../../passport/settings.ts';
import type { AppContext } from '../app-context.ts';
import { sendError } from '../errors.ts';
import { rawPathTail } from '../raw-identifier.ts';
import { qrIdentifier } from './proxy.ts';

export const QR_PREFIX = '/api/qr/';

const QrQuery = Type.Object({
  format: Type.Optional(Type.String({ description: 'svg (default) or png' })),
  size: Type.Optional(
    Type.String({ description: `Width in pixels, ${QR_SIZE.min}-${QR_SIZE.max}; default ${QR_SIZE.default}.` }),
  ),
});
type QrQuery = Static<typeof QrQuery>;

function qrOptions(q: QrQuery): { format: QrFormat; size: number } {
  const format = (q.format ?? 'svg').toLowerCase();
  const size = q.size === undefined ? QR_SIZE.default : Number(q.size);
  if (!QR_FORMATS.includes(format as QrFormat)) {
    throw new IdnError('IDN_ERR_INVALID_QR_REQUEST', `format "${format.slice(0, 20)}" is not svg or png.`);
  }
  if (!Number.isInteger(size) || size < QR_SIZE.min || size > QR_SIZE.max) {
    throw new IdnError('IDN_ERR_INVALID_QR_REQUEST', `size must be an integer from ${QR_SIZE.min} to ${QR_SIZE.max}.`);
  }
  return { format: format as QrFormat, size };
}

/**
 * GET /api/qr/{identifier}?format=svg|png&size=N: a QR code of the identifier's resolver URL (the
 * URL a label carries). Any valid identifier: labels are printed before the record exists.
 */
export function registerQr(app: FastifyInstance, ctx: AppContext): void {
  void ctx;
  const settings = ctx.passport;
  app.get<{ Querystring: QrQuery }>(
    `${QR_PREFIX}*`,
    {
      schema: {
        summary: "QR code of an identifier's resolver URL",
        tags: ['resolution'],
        querystring: QrQuery,
        response: { '4xx': ErrorResponse },
      },
    },
    async (request, reply) => {
      try {
        const { format, size } = qrOptions(request.query);
        const id = qrIdentifier(rawPathTail(request.url, QR_PREFIX.length));
        const image = await qrFor(resolverUrl(publicBase(app, settings), id.handle), format, size);
        return reply.header('cache-control', 'public, max-age=86400').type(image.contentType).send(image.body);
      } catch (e) {
        if (e instanceof IdnError) return sendError(reply, e);
        throw e;
      }
    },
  );
}
