// Original file: proto/idnode/v1/resolution.proto

/**
 * The three HTTP fields of a signed answer, as the signing node wrote them.
 */
export interface SignedAnswer {
  contentDigest?: string;
  signatureInput?: string;
  signature?: string;
}

/**
 * The three HTTP fields of a signed answer, as the signing node wrote them.
 */
export interface SignedAnswer__Output {
  contentDigest: string;
  signatureInput: string;
  signature: string;
}
