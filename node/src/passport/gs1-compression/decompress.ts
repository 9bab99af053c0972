import { PRIMARY_KEYS } from './ai-table.ts';
import { decodeSegment } from './decode-stream.ts';
import { arrange, padGtin, type DigitalLinkElements, type Gs1Element } from './elements.ts';
import { buildUri, decodePart, findPrimaryKey, pathElements, readQuery, splitUri, type OtherPair } from './uri.ts';

/**
 * Decompression of GS1 Digital Link URIs (fully compressed `/ARFKk4XBoA`, partially compressed
 * `/01/{gtin}/EEarwSM`), with GS1's rules and without the faults of GS1's toolkits
 * (docs/adr/0003-gs1-dl-compression.md): leading zeros kept, 18-digit keys exact, AIs in the
 * query merged (never dropped), one primary key, no AI twice, check digits and formats checked.
 */

export type DigitalLinkForm = 'full' | 'partial' | 'uncompressed';

export interface DecompressedLink extends DigitalLinkElements {
  /** The uncompressed GS1 Digital Link URI, on the input's own scheme, host and path prefix. */
  readonly uncompressed: string;
  /** Scheme, host and any path before the Digital Link part. */
  readonly stem: string;
  readonly form: DigitalLinkForm;
  /** Every GS1 element: the primary key, its qualifiers in path order, then the other AIs in AI order. */
  readonly elements: readonly Gs1Element[];
  /** Non-GS1 key=value pairs: those inside the compressed segment, then the query's own. */
  readonly others: readonly OtherPair[];
}

interface Located {
  readonly stem: string;
  readonly form: DigitalLinkForm;
  readonly elements: readonly Gs1Element[];
  readonly others: readonly OtherPair[];
}

/** Where the Digital Link part starts, and its elements (the query not yet merged). */
function locate(origin: string, segments: readonly string[]): Located {
  const stemOf = (n: number) =>
    `${origin}${segments
      .slice(0, n)
      .map((s) => `/${s}`)
      .join('')}`;
  const keyAt = findPrimaryKey(segments);
  if (keyAt >= 0)
    return { stem: stemOf(keyAt), form: 'uncompressed', elements: pathElements(segments, keyAt), others: [] };
  const n = segments.length;
  // A base64url segment needs no percent-encoding; one that has it ("%3D") is decoded so errors name the character.
  const last = decodePart(segments[n - 1] ?? '');
  const keyAi = segments[n - 3] ?? '';
  if (n >= 3 && PRIMARY_KEYS.has(keyAi) && segments[n - 2] !== '') {
    const key = padGtin({ ai: keyAi, value: decodePart(segments[n - 2] ?? '') });
    const stream = decodeSegment(last);
    return { stem: stemOf(n - 3), form: 'partial', elements: [key, ...stream.elements], others: stream.others };
  }
  const stream = decodeSegment(last);
  return { stem: stemOf(n - 1), form: 'full', ...stream };
}

/** The uncompressed Digital Link of `uri` (an uncompressed one comes back normalised). Throws coded 400 errors. */
export function decompressDigitalLink(uri: string): DecompressedLink {
  const split = splitUri(uri);
  const found = locate(split.origin, split.segments);
  const query = readQuery(split.query);
  const arranged = arrange([...found.elements, ...query.elements]);
  const others = [...found.others, ...query.others];
  return {
    ...arranged,
    uncompressed: buildUri(found.stem, arranged, others),
    stem: found.stem,
    form: found.form,
    elements: [arranged.key, ...arranged.qualifiers, ...arranged.attributes],
    others,
  };
}
