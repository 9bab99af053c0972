import type { Command } from 'commander';
import { writeFile } from 'node:fs/promises';
import { IdnError } from '../../errors/idn-error.ts';
import { parseIdentifier } from '../../identifier/index.ts';
import { compressedLabelUrl } from '../../passport/gs1-compression/index.ts';
import { QR_FORMATS, QR_SIZE, qrFor, type QrFormat } from '../../passport/qr.ts';
import { action, addGlobals, type Run } from '../command-kit.ts';
import { usage } from '../exit-codes.ts';
import { handlePath } from '../http-client.ts';

interface QrOptions {
  readonly format: string;
  readonly out?: string;
  readonly size: string;
  readonly base?: string;
  readonly compressed?: boolean;
}

/** --compressed: the compressed GS1 Digital Link URL of a GS1 identifier (a node error becomes a usage error). */
function compressedUrl(base: string, id: string): { url: string; uncompressed: string } {
  try {
    return compressedLabelUrl(base, id);
  } catch (e) {
    if (e instanceof IdnError) throw usage(e.code, e.message);
    throw e;
  }
}

/**
 * The identifier as typed on the command line is text (decoded), read by the node's own parser:
 * a label is never printed for an identifier the node would refuse, and `%20` is refused as the
 * node refuses it rather than encoded a second time into `%2520`.
 */
function registeredSpelling(id: string): string {
  try {
    return parseIdentifier(id, 'text').handle;
  } catch (e) {
    if (e instanceof IdnError) throw usage(e.code, `"${id}" is not an identifier the node accepts: ${e.message}`);
    throw e;
  }
}

/** The label's URL: the QR route of the node (or --base, the public resolver URL printed on products). */
async function qr(run: Run, id: string, o: QrOptions) {
  if (!QR_FORMATS.includes(o.format as QrFormat))
    throw usage('CLI_ERR_BAD_FORMAT', `--format must be svg or png, not ${o.format}.`);
  const size = Number(o.size);
  if (!Number.isInteger(size) || size < QR_SIZE.min || size > QR_SIZE.max)
    throw usage('CLI_ERR_BAD_SIZE', `--size must be a whole number of pixels from ${QR_SIZE.min} to ${QR_SIZE.max}.`);
  const handle = registeredSpelling(id);
  const base = (o.base ?? run.client.url).replace(/\/+$/, '');
  const gs1 = o.compressed === true ? compressedUrl(base, handle) : undefined;
  const url = gs1?.url ?? `${base}/${handlePath(handle)}`;
  const image = await qrFor(url, o.format as QrFormat, size);
  if (o.out !== undefined) {
    await writeFile(o.out, image.body);
    const facts = { ok: true, url, ...(gs1 ? { uncompressed: gs1.uncompressed } : {}), file: o.out };
    run.out.result({ ...facts, contentType: image.contentType }, () => `wrote ${o.out} (${url})`);
    return;
  }
  if (o.format === 'png' && process.stdout.isTTY)
    throw usage('CLI_ERR_PNG_TO_TTY', 'a PNG is binary: use --out <file> or redirect stdout.');
  process.stdout.write(image.body);
}

export function registerQrCommand(program: Command): void {
  addGlobals(
    program
      .command('qr <id>')
      .description("QR code of the identifier's resolver URL (the image to stdout, or --out)")
      .option('--format <f>', 'svg or png', 'svg')
      .option('--size <px>', `width in pixels (${QR_SIZE.min}-${QR_SIZE.max})`, String(QR_SIZE.default))
      .option('--out <file>', 'write the image here')
      .option('--base <url>', 'public resolver URL to encode (default: --url)')
      .option(
        '--compressed',
        'encode the compressed GS1 Digital Link URL of a GS1 identifier <gs1 prefix>/01/{gtin}[/10/{lot}][/21/{serial}] ' +
          "(the prefix must be the node's GS1 prefix, IDNODE_GS1_PREFIX or its first homed prefix)",
      ),
  ).action(action(qr));
}
