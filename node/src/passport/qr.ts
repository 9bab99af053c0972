import QRCode from 'qrcode';

/** QR codes of resolver URLs; the CLI reuses qrFor to print labels. */

export type QrFormat = 'svg' | 'png';
export const QR_FORMATS: readonly QrFormat[] = ['svg', 'png'];
export const QR_SIZE = { min: 64, max: 2048, default: 256 } as const;

export interface QrImage {
  readonly contentType: string;
  readonly body: string | Buffer;
}

/**
 * A QR code of `identifierUrl`, `size` pixels wide. Error correction M (15 %) survives a scuffed
 * label without making the code much denser; the 4-module quiet zone is what scanners expect.
 */
export async function qrFor(identifierUrl: string, format: QrFormat, size: number = QR_SIZE.default): Promise<QrImage> {
  const opts = { errorCorrectionLevel: 'M' as const, margin: 4, width: size };
  if (format === 'svg')
    return { contentType: 'image/svg+xml', body: await QRCode.toString(identifierUrl, { ...opts, type: 'svg' }) };
  return { contentType: 'image/png', body: await QRCode.toBuffer(identifierUrl, { ...opts, type: 'png' }) };
}
