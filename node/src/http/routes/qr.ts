import type { FastifyInstance } from 'fastify';
import { Type, type Static } from 'typebox';
import { IdnError } from '../../errors/idn-error.ts';
import { ErrorResponse } from '../../records/schema.ts';
import { compressedLabelUrl } from '../../passport/gs1-compression/index.ts';
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
  compressed: Type.Optional(
    Type.String({
      description:
        'true: encode the compressed GS1 Digital Link URL (GS1 identifiers <gs1 prefix>/01/{gtin}..., a smaller code); default false.',
    }),
  ),
});
type QrQuery = Static<typeof QrQuery>;

function qrOptions(q: QrQuery): { format: QrFormat; size: number; compressed: boolean } {
  const format = (q.format ?? 'svg').toLowerCase();
  if (q.compressed !== undefined && q.compressed !== 'true' && q.compressed !== 'false') {
    throw new IdnError(
      'IDN_ERR_INVALID_QR_REQUEST',
      `compressed must be true or false, not "${q.compressed.slice(0, 20)}".`,
    );
  }
  const size = q.size === undefined ? QR_SIZE.default : Number(q.size);
  if (!QR_FORMATS.includes(format as QrFormat)) {
    throw new IdnError('IDN_ERR_INVALID_QR_REQUEST', `format "${format.slice(0, 20)}" is not svg or png.`);
  }
  if (!Number.isInteger(size) || size < QR_SIZE.min || size > QR_SIZE.max) {
    throw new IdnError('IDN_ERR_INVALID_QR_REQUEST', `size must be an integer from ${QR_SIZE.min} to ${QR_SIZE.max}.`);
  }
  return { format: format as QrFormat, size, compressed: q.compressed === 'true' };
}

/**
 * GET /api/qr/{identifier}?format=svg|png&size=N[&compressed=true]: a QR code of the identifier's
 * resolver URL (the URL a label carries). Any valid identifier: labels are printed before the
 * record exists. compressed=true encodes a GS1 identifier's compressed Digital Link URL instead
 * (`https://id.example.com/CxFKk4XBoI1XgkY`), which the node decompresses when it is scanned.
 */
export function registerQr(app: FastifyInstance, ctx: AppContext): void {
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
        const { format, size, compressed } = qrOptions(request.query);
        const id = qrIdentifier(rawPathTail(request.url, QR_PREFIX.length));
        const base = publicBase(app, settings);
        const url = compressed
          ? compressedLabelUrl(base, id.handle, settings.gs1Prefix ?? ctx.homed.prefixes[0]).url
          : resolverUrl(base, id.handle);
        const image = await qrFor(url, format, size);
        return reply.header('cache-control', 'public, max-age=86400').type(image.contentType).send(image.body);
      } catch (e) {
        if (e instanceof IdnError) return sendError(reply, e);
        throw e;
      }
    },
  );
}
