import { IdnError } from '../../errors/idn-error.ts';
import { gs1PathString, parseGs1Path } from '../gs1.ts';
import { compressDigitalLink } from './compress.ts';

/** The URLs a label of a GS1 identifier can carry: the compressed one, and the Digital Link it stands for. */
export interface LabelUrls {
  readonly url: string;
  readonly uncompressed: string;
}

/**
 * The compressed GS1 Digital Link URL for the identifier `handle` (`<prefix>/01/{gtin}[/22/..][/10/..][/21/..]`)
 * on `base`. The node maps Digital Link paths under one prefix (IDNODE_GS1_PREFIX, else the first
 * homed prefix): when `gs1Prefix` is given, an identifier under another prefix is refused, since
 * its compressed URL would resolve to a different record.
 */
export function compressedLabelUrl(base: string, handle: string, gs1Prefix?: string): LabelUrls {
  const slash = handle.indexOf('/');
  const prefix = handle.slice(0, slash);
  const needs = `a GS1 identifier ${gs1Prefix ?? '<prefix>'}/01/{gtin}[/22/{cpv}][/10/{lot}][/21/{serial}]`;
  if (slash < 0 || (gs1Prefix !== undefined && prefix.toLowerCase() !== gs1Prefix.toLowerCase())) {
    throw new IdnError(
      'IDN_ERR_INVALID_QR_REQUEST',
      `compressed=true needs ${needs}; ${handle.slice(0, 80)} is not one.`,
    );
  }
  let path;
  try {
    path = parseGs1Path(
      handle
        .slice(slash + 1)
        .split('/')
        .map(encodeURIComponent)
        .join('/'),
    );
  } catch (e) {
    if (!(e instanceof IdnError) || e.code !== 'IDN_ERR_GS1_UNSUPPORTED_PATH') throw e;
    throw new IdnError(
      'IDN_ERR_INVALID_QR_REQUEST',
      `compressed=true needs ${needs}; ${handle.slice(0, 80)} is not one.`,
    );
  }
  const uncompressed = `${base}/${gs1PathString(path)}`;
  return { url: compressDigitalLink(uncompressed), uncompressed };
}
