/**
 * GS1 Digital Link compression (GS1 Digital Link: Compression, the AI-based form): decompression
 * for the resolver (Resolver Standard 1.2 criteria 4 and 5), compression for the QR codes the
 * node prints. Support layer: imports only errors/ and passport/gs1.ts.
 */
export { compressDigitalLink, compressElements, type CompressOptions } from './compress.ts';
export { decodeSegment, MAX_SEGMENT_CHARS } from './decode-stream.ts';
export { decompressDigitalLink, type DecompressedLink, type DigitalLinkForm } from './decompress.ts';
export { arrange, checkElement, isPrimaryKey, type DigitalLinkElements, type Gs1Element } from './elements.ts';
export { BASE64URL_RE } from './bits.ts';
export type { OtherPair } from './uri.ts';
export { compressedLabelUrl, type LabelUrls } from './label-url.ts';
