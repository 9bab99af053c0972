/**
 * The RFC 9421 pieces the signer needs, from §2.3 and §2.5: a covered component is its name as an
 * RFC 8941 String, optionally with the boolean parameter `req` (§2.4: a request component in a
 * response signature); the base is one `"name";params: value` line per component, then the
 * `"@signature-params"` line, with no trailing newline. Values must be ASCII (the caller checks).
 */
export interface Covered {
  readonly name: string;
  readonly req?: boolean;
  readonly value: string;
}

export interface SignatureParams {
  readonly created: number;
  readonly keyid: string;
  readonly alg: string;
  readonly tag: string;
}

/** RFC 8941 §4.1.6 sf-string: quotes and backslashes escaped (keyids and tags are ASCII here). */
const sfString = (s: string): string => `"${s.replace(/[\\"]/g, (c) => `\\${c}`)}"`;

const identifier = (c: Covered): string => `${sfString(c.name)}${c.req === true ? ';req' : ''}`;

/** The value of Signature-Input's member and of the `@signature-params` line: one serialisation for both. */
export function signatureParams(covered: readonly Covered[], p: SignatureParams): string {
  return (
    `(${covered.map(identifier).join(' ')});created=${p.created};keyid=${sfString(p.keyid)}` +
    `;alg=${sfString(p.alg)};tag=${sfString(p.tag)}`
  );
}

export function signatureBase(covered: readonly Covered[], params: string): string {
  let base = '';
  for (const c of covered) base += `${identifier(c)}: ${c.value}\n`;
  return `${base}"@signature-params": ${params}`;
}

/** Printable ASCII only (RFC 9421 §2.5: the base is ASCII; derived values have no controls). */
export const isBaseSafe = (s: string): boolean => /^[\x20-\x7e]*$/.test(s);
