/**
 * The one table of error codes. Each IDN_ERR_* maps to a Handle response code (RFC 3652 /
 * Handle.Net v9 REST), an HTTP status (as the Handle server maps them) and a gRPC status code.
 * Every transport renders errors from this table; nothing else decides a status.
 */

/** Handle response codes used by idnode (subset of RFC 3652 plus v9 REST usage). */
export const HandleRc = {
  SUCCESS: 1,
  ERROR: 2,
  SERVER_BUSY: 3,
  PROTOCOL_ERROR: 4,
  OPERATION_DENIED: 5,
  RECUR_LIMIT_EXCEEDED: 6,
  HANDLE_NOT_FOUND: 100,
  HANDLE_ALREADY_EXISTS: 101,
  INVALID_HANDLE: 102,
  VALUES_NOT_FOUND: 200,
  VALUE_ALREADY_EXISTS: 201,
  INVALID_VALUE: 202,
  SERVER_NOT_RESPONSIBLE: 301,
  SERVICE_REFERRAL: 302,
  PREFIX_REFERRAL: 303,
  NOT_AUTHORIZED: 400,
  ACCESS_DENIED: 401,
  AUTHENTICATION_NEEDED: 402,
  AUTHENTICATION_FAILED: 403,
  INVALID_CREDENTIAL: 404,
} as const;
export type HandleRcValue = (typeof HandleRc)[keyof typeof HandleRc];

/** gRPC status codes (grpc/status.h), kept here so the table needs no transport import. */
export const GrpcCode = {
  OK: 0,
  CANCELLED: 1,
  UNKNOWN: 2,
  INVALID_ARGUMENT: 3,
  DEADLINE_EXCEEDED: 4,
  NOT_FOUND: 5,
  ALREADY_EXISTS: 6,
  PERMISSION_DENIED: 7,
  RESOURCE_EXHAUSTED: 8,
  FAILED_PRECONDITION: 9,
  ABORTED: 10,
  OUT_OF_RANGE: 11,
  UNIMPLEMENTED: 12,
  INTERNAL: 13,
  UNAVAILABLE: 14,
  UNAUTHENTICATED: 16,
} as const;
export type GrpcCodeValue = (typeof GrpcCode)[keyof typeof GrpcCode];

export interface ErrorSpec {
  readonly rc: HandleRcValue;
  readonly http: number;
  readonly grpc: GrpcCodeValue;
  readonly message: string;
}

const bad = (message: string): ErrorSpec => ({
  rc: HandleRc.INVALID_HANDLE,
  http: 400,
  grpc: GrpcCode.INVALID_ARGUMENT,
  message,
});
const badValue = (message: string): ErrorSpec => ({
  rc: HandleRc.INVALID_VALUE,
  http: 400,
  grpc: GrpcCode.INVALID_ARGUMENT,
  message,
});

export const ERRORS = {
  // --- identifier grammar (one parser, node/src/identifier) ---
  IDN_ERR_EMPTY_IDENTIFIER: bad('The identifier is empty.'),
  IDN_ERR_MISSING_SEPARATOR: bad('The identifier has no "/" between prefix and suffix.'),
  IDN_ERR_EMPTY_PREFIX: bad('The prefix (before the first "/") is empty.'),
  IDN_ERR_EMPTY_SUFFIX: bad('The suffix (after the first "/") is empty.'),
  IDN_ERR_EMPTY_PREFIX_SEGMENT: bad('The prefix has an empty segment (leading, trailing or doubled ".").'),
  IDN_ERR_PREFIX_CHARACTER: bad('The prefix may contain only ASCII letters, digits and "." between segments.'),
  IDN_ERR_PREFIX_TOO_LONG: bad('The prefix is longer than the limit in bytes.'),
  IDN_ERR_PREFIX_TOO_DEEP: bad('The prefix has more segments than the limit.'),
  IDN_ERR_PREFIX_SEGMENT_TOO_LONG: bad('A prefix segment is longer than the limit.'),
  IDN_ERR_SUFFIX_TOO_LONG: bad('The suffix is longer than the limit in bytes.'),
  IDN_ERR_SUFFIX_TOO_DEEP: bad('The suffix has more "/"-separated segments than the limit.'),
  IDN_ERR_IDENTIFIER_TOO_LONG: bad('The identifier is longer than the limit in bytes.'),
  IDN_ERR_EMPTY_SUFFIX_SEGMENT: bad('The suffix has an empty segment ("//", or a leading or trailing "/").'),
  IDN_ERR_DOT_SEGMENT: bad('The suffix has a "." or ".." segment.'),
  IDN_ERR_SUFFIX_CHARACTER: bad('The suffix contains an ASCII character outside the allowed set.'),
  IDN_ERR_CONTROL_CHARACTER: bad('The identifier contains a control character.'),
  IDN_ERR_WHITESPACE: bad('The identifier contains white space.'),
  IDN_ERR_BIDI_CHARACTER: bad('The identifier contains a bidirectional formatting character.'),
  IDN_ERR_INVISIBLE_CHARACTER: bad('The identifier contains a zero-width or other invisible character.'),
  IDN_ERR_NONCHARACTER: bad('The identifier contains a Unicode noncharacter, private-use or unassigned code point.'),
  IDN_ERR_COMPATIBILITY_CHARACTER: bad(
    'The identifier contains a compatibility character (e.g. fullwidth digits) that NFKC would change.',
  ),
  IDN_ERR_LONE_SURROGATE: bad('The identifier contains a lone UTF-16 surrogate.'),
  IDN_ERR_BAD_PERCENT_ENCODING: bad('A "%" is not followed by two hexadecimal digits.'),
  IDN_ERR_DOUBLE_ENCODED: bad('The identifier is percent-encoded twice ("%25XX"); encode it once.'),
  IDN_ERR_INVALID_UTF8: bad('The percent-decoded bytes are not valid UTF-8.'),

  // --- records and values ---
  IDN_ERR_INVALID_RECORD: badValue('The record body is not valid.'),
  // Routes whose body is not a record (tokens, applications, serials, sign-in) name their own shape.
  IDN_ERR_INVALID_BODY: {
    rc: HandleRc.ERROR,
    http: 400,
    grpc: GrpcCode.INVALID_ARGUMENT,
    message: "The request body does not have this route's shape.",
  },
  IDN_ERR_INVALID_VALUE: badValue('A value in the record is not valid.'),
  IDN_ERR_DUPLICATE_INDEX: badValue('Two values share one index.'),
  IDN_ERR_INVALID_QUERY: bad('A query parameter is not valid.'),

  // --- resolution ---
  IDN_ERR_NOT_FOUND: {
    rc: HandleRc.HANDLE_NOT_FOUND,
    http: 404,
    grpc: GrpcCode.NOT_FOUND,
    message: 'No record exists for this identifier.',
  },
  // The QR / GS1 route's answer for a deleted identifier (a "withdrawn" page). The Handle REST API
  // answers a deleted identifier exactly as a missing one (404, IDN_ERR_NOT_FOUND), as Handle does.
  IDN_ERR_GONE: {
    rc: HandleRc.HANDLE_NOT_FOUND,
    http: 410,
    grpc: GrpcCode.NOT_FOUND,
    message: 'The identifier was deleted (withdrawn).',
  },
  // Handle answers a resolution whose filters match nothing with RC 200 and HTTP 200 ...
  IDN_ERR_VALUES_NOT_FOUND: {
    rc: HandleRc.VALUES_NOT_FOUND,
    http: 200,
    grpc: GrpcCode.NOT_FOUND,
    message: 'The record has no value matching the requested index or type.',
  },
  // ... and a write naming a missing value with RC 200 and HTTP 400.
  IDN_ERR_VALUE_NOT_FOUND: {
    rc: HandleRc.VALUES_NOT_FOUND,
    http: 400,
    grpc: GrpcCode.NOT_FOUND,
    message: 'The record has no value at the given index.',
  },
  // A scan whose ?index= names no value the reader may see: not found, as a link type nobody may
  // see is (GS1 Resolver: an error is never 200). RC 2, because the table maps RC 200 to HTTP 200
  // (resolution) or 400 (write) only, and this is neither.
  IDN_ERR_NO_REDIRECT_TARGET: {
    rc: HandleRc.ERROR,
    http: 404,
    grpc: GrpcCode.NOT_FOUND,
    message: 'The identifier has no value at that index that you may see.',
  },
  // The native Handle protocol (node/src/handle-protocol): a message that does not parse.
  IDN_ERR_HANDLE_PROTOCOL: {
    rc: HandleRc.PROTOCOL_ERROR,
    http: 400,
    grpc: GrpcCode.INVALID_ARGUMENT,
    message: 'The Handle protocol message is malformed (RFC 3652 envelope, header, body).',
  },
  IDN_ERR_NOT_RESPONSIBLE: {
    rc: HandleRc.SERVER_NOT_RESPONSIBLE,
    http: 400,
    grpc: GrpcCode.FAILED_PRECONDITION,
    message: 'This node is not responsible for the prefix.',
  },
  IDN_ERR_PREFIX_NOT_FOUND: {
    rc: HandleRc.HANDLE_NOT_FOUND,
    http: 404,
    grpc: GrpcCode.NOT_FOUND,
    message: 'The prefix does not exist on this node (no 0.NA record).',
  },

  // --- writes ---
  IDN_ERR_ALREADY_EXISTS: {
    rc: HandleRc.HANDLE_ALREADY_EXISTS,
    http: 409,
    grpc: GrpcCode.ALREADY_EXISTS,
    message: 'A record already exists for this identifier (overwrite=false).',
  },
  // A Handle client creating the name hears "already exists" (101), the code it knows for a taken
  // name; the message names the policy and the 0.NA record that sets it.
  IDN_ERR_REUSE_FORBIDDEN: {
    rc: HandleRc.HANDLE_ALREADY_EXISTS,
    http: 409,
    grpc: GrpcCode.ALREADY_EXISTS,
    message: "The identifier was deleted and its prefix's never-reuse policy forbids creating it again.",
  },
  IDN_ERR_VALUE_EXISTS: {
    rc: HandleRc.VALUE_ALREADY_EXISTS,
    http: 409,
    grpc: GrpcCode.ALREADY_EXISTS,
    message: 'A value already exists at this index.',
  },
  IDN_ERR_VERSION_MISMATCH: {
    rc: HandleRc.OPERATION_DENIED,
    http: 412,
    grpc: GrpcCode.FAILED_PRECONDITION,
    message: 'The record changed since it was read (If-Match does not match the current ETag).',
  },
  IDN_ERR_LAST_ADMIN: {
    rc: HandleRc.OPERATION_DENIED,
    http: 409,
    grpc: GrpcCode.FAILED_PRECONDITION,
    message: 'The change would leave the record with no HS_ADMIN value able to administer it.',
  },

  // --- authentication and authorisation ---
  IDN_ERR_AUTH_REQUIRED: {
    rc: HandleRc.AUTHENTICATION_NEEDED,
    http: 401,
    grpc: GrpcCode.UNAUTHENTICATED,
    message: 'This operation needs authentication (HTTP Basic "<index>:<admin-handle>" or a Bearer token).',
  },
  IDN_ERR_AUTH_FAILED: {
    rc: HandleRc.AUTHENTICATION_FAILED,
    http: 401,
    grpc: GrpcCode.UNAUTHENTICATED,
    message: 'The credentials were not accepted.',
  },
  IDN_ERR_INVALID_CREDENTIAL: {
    rc: HandleRc.INVALID_CREDENTIAL,
    http: 400,
    grpc: GrpcCode.UNAUTHENTICATED,
    message: 'The Authorization header is malformed.',
  },
  IDN_ERR_CHALLENGE_FAILED: {
    rc: HandleRc.AUTHENTICATION_FAILED,
    http: 401,
    grpc: GrpcCode.UNAUTHENTICATED,
    message: 'The challenge answer does not prove the secret key named by "id" (check the secret, alg and nonce).',
  },
  IDN_ERR_AUTH_BACKOFF: {
    rc: HandleRc.SERVER_BUSY,
    http: 429,
    grpc: GrpcCode.RESOURCE_EXHAUSTED,
    message:
      'Too many wrong secrets: retry after the Retry-After delay; the real admin can log in from an address it used before.',
  },
  IDN_ERR_SESSION_EXPIRED: {
    rc: HandleRc.AUTHENTICATION_NEEDED,
    http: 401,
    grpc: GrpcCode.UNAUTHENTICATED,
    message: 'The session is unknown or expired: POST /api/sessions for a new one and authenticate again.',
  },
  IDN_ERR_SESSION_LIMIT: {
    rc: HandleRc.SERVER_BUSY,
    http: 503,
    grpc: GrpcCode.RESOURCE_EXHAUSTED,
    message: 'This node holds as many sessions as it allows; retry later, or use Basic or a Bearer token.',
  },
  IDN_ERR_SECRET_UNUSABLE: {
    rc: HandleRc.AUTHENTICATION_FAILED,
    http: 401,
    grpc: GrpcCode.UNAUTHENTICATED,
    message: 'The stored secret key cannot verify this kind of answer.',
  },
  IDN_ERR_NOT_AUTHORIZED: {
    rc: HandleRc.NOT_AUTHORIZED,
    http: 403,
    grpc: GrpcCode.PERMISSION_DENIED,
    message: 'The authenticated admin lacks the HS_ADMIN permission for this operation.',
  },

  // --- prefix registry (prefix-registry/) and node federation (proto/idnode/v1) ---
  IDN_ERR_INVALID_CREDIT_CODE: badValue(
    'The unified social credit code (统一社会信用代码) is not 18 valid characters with a correct GB 32100-2015 check character.',
  ),
  IDN_ERR_INVALID_APPLICATION: badValue('The prefix application is not valid.'),
  IDN_ERR_APPLICATION_NOT_FOUND: {
    rc: HandleRc.HANDLE_NOT_FOUND,
    http: 404,
    grpc: GrpcCode.NOT_FOUND,
    message: 'No prefix application has this id.',
  },
  IDN_ERR_APPLICATION_DECIDED: {
    rc: HandleRc.OPERATION_DENIED,
    http: 409,
    grpc: GrpcCode.FAILED_PRECONDITION,
    message: 'The prefix application was already approved or rejected.',
  },
  IDN_ERR_PREFIX_TAKEN: {
    rc: HandleRc.HANDLE_ALREADY_EXISTS,
    http: 409,
    grpc: GrpcCode.ALREADY_EXISTS,
    message: 'The prefix is already delegated, allocated or applied for; re-delegation needs an explicit transfer.',
  },
  IDN_ERR_PREFIX_NOT_DELEGABLE: {
    rc: HandleRc.OPERATION_DENIED,
    http: 400,
    grpc: GrpcCode.INVALID_ARGUMENT,
    message: 'The prefix is not under a prefix this node may delegate or allocate from.',
  },
  IDN_ERR_NODE_NOT_FOUND: {
    rc: HandleRc.HANDLE_NOT_FOUND,
    http: 404,
    grpc: GrpcCode.NOT_FOUND,
    message: 'No node is registered with this id.',
  },
  IDN_ERR_IDEMPOTENCY_CONFLICT: {
    rc: HandleRc.OPERATION_DENIED,
    http: 422,
    grpc: GrpcCode.FAILED_PRECONDITION,
    message: 'The idempotency key was already used with a different request body.',
  },
  IDN_ERR_SYNC_FOREIGN_PREFIX: {
    rc: HandleRc.OPERATION_DENIED,
    http: 403,
    grpc: GrpcCode.PERMISSION_DENIED,
    message: 'The synced change is for a prefix not delegated to the sending node; it was refused, not applied.',
  },
  // --- transparency log and witness (node/src/tlog, docs/adr/0012) ---
  IDN_ERR_TLOG_DISABLED: {
    rc: HandleRc.ERROR,
    http: 404,
    grpc: GrpcCode.UNIMPLEMENTED,
    message: 'This node keeps no transparency log (IDNODE_TLOG=off); set IDNODE_TLOG=on to serve /log and proofs.',
  },
  IDN_ERR_TLOG_BAD_PATH: {
    rc: HandleRc.ERROR,
    http: 400,
    grpc: GrpcCode.INVALID_ARGUMENT,
    message:
      'Not a C2SP tlog-tiles path: use /log/tile/<L>/<N>[.p/<W>] or /log/tile/entries/<N>[.p/<W>], N in 3-digit groups with an x on all but the last (1000 is x001/000), W 1-255.',
  },
  IDN_ERR_TLOG_TILE_NOT_FOUND: {
    rc: HandleRc.ERROR,
    http: 404,
    grpc: GrpcCode.NOT_FOUND,
    message: 'The log has no such tile yet: fetch /log/checkpoint and ask only for tiles its size needs.',
  },
  IDN_ERR_TLOG_NOT_LOGGED: {
    rc: HandleRc.HANDLE_NOT_FOUND,
    http: 404,
    grpc: GrpcCode.NOT_FOUND,
    message: 'The log has no entry for this identifier (or this version of it); check the identifier and version.',
  },
  IDN_ERR_WITNESS_UNKNOWN_LOG: {
    rc: HandleRc.OPERATION_DENIED,
    http: 404,
    grpc: GrpcCode.NOT_FOUND,
    message:
      "The witness does not know this log's origin or key: register the node (its log key) with the top-level node.",
  },
  IDN_ERR_WITNESS_BAD_SIGNATURE: {
    rc: HandleRc.OPERATION_DENIED,
    http: 403,
    grpc: GrpcCode.PERMISSION_DENIED,
    message:
      "The checkpoint is not signed by the log's registered key (or a signature fails); it was refused, not cosigned.",
  },
  IDN_ERR_WITNESS_BAD_REQUEST: {
    rc: HandleRc.ERROR,
    http: 400,
    grpc: GrpcCode.INVALID_ARGUMENT,
    message:
      'The checkpoint or proof does not parse, or its old size is above its size; send a C2SP checkpoint and proof.',
  },
  IDN_ERR_WITNESS_OLD_SIZE: {
    rc: HandleRc.OPERATION_DENIED,
    http: 409,
    grpc: GrpcCode.ABORTED,
    message: 'The witness last cosigned another size of this log: prove consistency from the size in the detail.',
  },
  IDN_ERR_WITNESS_INCONSISTENT: {
    rc: HandleRc.OPERATION_DENIED,
    http: 422,
    grpc: GrpcCode.FAILED_PRECONDITION,
    message:
      "The log is not an extension of what the witness cosigned (rewritten history, a fork, a smaller tree or another root at the same size); refused, the synced copy keeps the last witnessed state. Investigate the node's store.",
  },
  IDN_ERR_LOOP_DETECTED: {
    rc: HandleRc.RECUR_LIMIT_EXCEEDED,
    http: 508,
    grpc: GrpcCode.FAILED_PRECONDITION,
    message: 'The request was forwarded too often or came back to a node it already passed (referral loop).',
  },
  // A relayed answer that does not decode is the peer's fault (HTTP 502 to the reader); a synced change
  // that does not decode is the sender's (INVALID_ARGUMENT on the stream). Neither is used half-decoded.
  IDN_ERR_PEER_MALFORMED: {
    rc: HandleRc.ERROR,
    http: 502,
    grpc: GrpcCode.INVALID_ARGUMENT,
    message:
      'Another node sent a record, value or change that does not decode (missing data, bad JSON, unknown operation); it was refused, not used. Check that both nodes run a compatible idnode.v1.',
  },

  // --- passport access credentials (node/src/access) and metadata templates (node/src/passport) ---
  IDN_ERR_CREDENTIAL_MALFORMED: {
    rc: HandleRc.INVALID_CREDENTIAL,
    http: 401,
    grpc: GrpcCode.UNAUTHENTICATED,
    message: 'The bearer credential is not a well-formed signed JWT (three base64url parts, JSON header and claims).',
  },
  IDN_ERR_CREDENTIAL_ALGORITHM: {
    rc: HandleRc.INVALID_CREDENTIAL,
    http: 401,
    grpc: GrpcCode.UNAUTHENTICATED,
    message: 'The credential is signed with an algorithm this node refuses; use ES256 or EdDSA (never "none" or HS*).',
  },
  IDN_ERR_CREDENTIAL_UNKNOWN_ISSUER: {
    rc: HandleRc.AUTHENTICATION_FAILED,
    http: 401,
    grpc: GrpcCode.UNAUTHENTICATED,
    message: "The credential issuer (iss) is not in this node's trusted issuers (IDNODE_TRUSTED_ISSUERS).",
  },
  IDN_ERR_CREDENTIAL_SIGNATURE: {
    rc: HandleRc.AUTHENTICATION_FAILED,
    http: 401,
    grpc: GrpcCode.UNAUTHENTICATED,
    message: 'The credential signature does not verify against any key of its issuer.',
  },
  IDN_ERR_CREDENTIAL_EXPIRED: {
    rc: HandleRc.AUTHENTICATION_FAILED,
    http: 401,
    grpc: GrpcCode.UNAUTHENTICATED,
    message: 'The credential has expired (exp); ask its issuer for a new one.',
  },
  IDN_ERR_CREDENTIAL_NOT_YET_VALID: {
    rc: HandleRc.AUTHENTICATION_FAILED,
    http: 401,
    grpc: GrpcCode.UNAUTHENTICATED,
    message: 'The credential is not valid yet (nbf is in the future).',
  },
  IDN_ERR_CREDENTIAL_CLAIMS: {
    rc: HandleRc.INVALID_CREDENTIAL,
    http: 401,
    grpc: GrpcCode.UNAUTHENTICATED,
    message: 'The credential lacks a required claim (iss, sub, exp, role) or a claim has the wrong type.',
  },
  IDN_ERR_CREDENTIAL_AUDIENCE: {
    rc: HandleRc.AUTHENTICATION_FAILED,
    http: 401,
    grpc: GrpcCode.UNAUTHENTICATED,
    message: 'The credential audience (aud) names neither this node nor a prefix covering the identifier.',
  },
  IDN_ERR_CREDENTIAL_ROLE: {
    rc: HandleRc.NOT_AUTHORIZED,
    http: 403,
    grpc: GrpcCode.PERMISSION_DENIED,
    message: 'The credential role is unknown or not allowed for its issuer.',
  },
  IDN_ERR_CREDENTIAL_PURPOSE: {
    rc: HandleRc.NOT_AUTHORIZED,
    http: 403,
    grpc: GrpcCode.PERMISSION_DENIED,
    message: 'A legitimate-interest credential must declare a purpose from the documented vocabulary.',
  },
  // 400 with Handle's INVALID_VALUE, as every other refused value; detail.failures lists the paths.
  IDN_ERR_METADATA_SCHEMA: badValue(
    'The record does not satisfy the metadata template (METADATA_SCHEMA) its prefix requires.',
  ),
  IDN_ERR_UNKNOWN_METADATA_SCHEMA: badValue('The METADATA_SCHEMA value names a schema this node does not ship.'),
  IDN_ERR_INVALID_TEMPLATE: badValue('The TEMPLATE or WALKUP value is not valid.'),

  // --- passports: typed links, negotiation, GS1 Digital Link, QR codes (node/src/passport) ---
  IDN_ERR_INVALID_LINK: badValue(
    'A LINK value is not valid (expects {format:"json", value:{linkType, href, title, ...}}).',
  ),
  IDN_ERR_UNKNOWN_LINK_TYPE: badValue(
    'The link type is neither in the supported vocabulary (gs1:, untp:, idnode:) nor an absolute http(s) IRI.',
  ),
  // GS1 resolvers answer a missing link type with 404; Handle's 200 code maps only to 200/400,
  // so this one carries the generic error code.
  IDN_ERR_LINK_TYPE_NOT_FOUND: {
    rc: HandleRc.ERROR,
    http: 404,
    grpc: GrpcCode.NOT_FOUND,
    message: 'The identifier has no link of the requested link type that you may see.',
  },
  IDN_ERR_GS1_INVALID_GTIN: bad('The GTIN must be 8, 12, 13 or 14 digits.'),
  IDN_ERR_GS1_INVALID_KEY: bad(
    'A GS1 primary key value (SSCC, GLN, GRAI, GIAI, ...) does not have the length or characters its AI requires.',
  ),
  IDN_ERR_GS1_CHECK_DIGIT: bad('A GS1 check digit (GTIN, GLN, SSCC, ...) is wrong.'),
  IDN_ERR_GS1_INVALID_QUALIFIER: bad(
    'A GS1 Digital Link key qualifier (10 lot, 21 serial, 22 consumer product variant, 254, 8019, ...) is empty, too long or has a character its AI does not allow.',
  ),
  IDN_ERR_GS1_UNSUPPORTED_PATH: bad(
    'The GS1 Digital Link path is not supported: expected /{primary key AI}/{value} (01, 00, 253, 255, 401, 402, 414, 417, 8003, 8004, 8006, 8010, 8017, 8018), then its key qualifiers in order (01: /22, /10, /21).',
  ),
  IDN_ERR_GS1_INVALID_ATTRIBUTE: bad(
    'A GS1 data attribute in the query is not valid: a known AI has the wrong shape (17=YYMMDD, ...), or a key or qualifier AI is in the query instead of the path.',
  ),
  IDN_ERR_GS1_NOT_CONFIGURED: {
    rc: HandleRc.SERVER_NOT_RESPONSIBLE,
    http: 404,
    grpc: GrpcCode.FAILED_PRECONDITION,
    message: 'This node maps no GS1 Digital Link paths (it homes no prefix and IDNODE_GS1_PREFIX is not set).',
  },
  IDN_ERR_INVALID_QR_REQUEST: bad(
    'The QR code request is not valid: format must be svg or png, size 64 to 2048 pixels.',
  ),
  // Compressed GS1 Digital Links (node/src/passport/gs1-compression): every refusal is a 400 naming the bit or character.
  IDN_ERR_GS1_COMPRESSED_ALPHABET: bad(
    'A compressed GS1 Digital Link segment may contain only the base64url characters A-Z a-z 0-9 - _ (no "=" padding).',
  ),
  IDN_ERR_GS1_COMPRESSED_TRUNCATED: bad(
    'The compressed GS1 Digital Link ends inside an element: its bit stream is truncated.',
  ),
  IDN_ERR_GS1_COMPRESSED_UNKNOWN_AI: bad(
    'The compressed GS1 Digital Link names an application identifier or optimisation code that GS1 does not define.',
  ),
  IDN_ERR_GS1_COMPRESSED_INVALID: bad(
    'The compressed GS1 Digital Link is malformed: an unassigned encoding, a declared length over the maximum, non-zero padding or a segment too long.',
  ),
  IDN_ERR_GS1_INVALID_ELEMENT: bad(
    'A GS1 element value does not match the format of its application identifier (length, digits, character set).',
  ),
  IDN_ERR_GS1_INVALID_DIGITAL_LINK: bad(
    'The GS1 Digital Link needs exactly one primary key, its key qualifiers in order, and no application identifier twice.',
  ),

  // --- transport and server ---
  IDN_ERR_METHOD_NOT_ALLOWED: {
    rc: HandleRc.ERROR,
    http: 405,
    grpc: GrpcCode.UNIMPLEMENTED,
    message: 'This route does not take that method; the Allow header lists the ones it takes.',
  },
  IDN_ERR_ROUTE_NOT_FOUND: {
    rc: HandleRc.ERROR,
    http: 404,
    grpc: GrpcCode.UNIMPLEMENTED,
    message: 'No such route.',
  },
  // A cookie-authenticated write without the session's CSRF token (or from another origin): the console's guard.
  IDN_ERR_CSRF_CHECK: {
    rc: HandleRc.NOT_AUTHORIZED,
    http: 403,
    grpc: GrpcCode.PERMISSION_DENIED,
    message:
      'A write with the session cookie needs the x-idnode-csrf header from GET /api/session and a same-origin Origin; scripts send Authorization instead.',
  },
  IDN_ERR_BODY_TOO_LARGE: {
    rc: HandleRc.ERROR,
    http: 413,
    grpc: GrpcCode.RESOURCE_EXHAUSTED,
    message: 'The request body exceeds the limit.',
  },
  IDN_ERR_UNSUPPORTED_MEDIA_TYPE: {
    rc: HandleRc.ERROR,
    http: 415,
    grpc: GrpcCode.INVALID_ARGUMENT,
    message: 'The request body must be application/json.',
  },
  IDN_ERR_HEADERS_TOO_LARGE: {
    rc: HandleRc.ERROR,
    http: 431,
    grpc: GrpcCode.RESOURCE_EXHAUSTED,
    message: 'The request line or headers exceed the size limit (no valid identifier needs a URL that long).',
  },
  IDN_ERR_CLIENT_TIMEOUT: {
    rc: HandleRc.ERROR,
    http: 408,
    grpc: GrpcCode.DEADLINE_EXCEEDED,
    message: 'The request did not arrive completely in time.',
  },
  IDN_ERR_MALFORMED_BODY: {
    rc: HandleRc.ERROR,
    http: 400,
    grpc: GrpcCode.INVALID_ARGUMENT,
    message: 'The request body is not valid JSON.',
  },
  IDN_ERR_BAD_REQUEST: {
    rc: HandleRc.ERROR,
    http: 400,
    grpc: GrpcCode.INVALID_ARGUMENT,
    message: 'The request is malformed.',
  },
  IDN_ERR_TIMEOUT: {
    rc: HandleRc.ERROR,
    http: 504,
    grpc: GrpcCode.DEADLINE_EXCEEDED,
    message: 'The request did not complete within its deadline.',
  },
  IDN_ERR_RATE_LIMITED: {
    rc: HandleRc.SERVER_BUSY,
    http: 429,
    grpc: GrpcCode.RESOURCE_EXHAUSTED,
    message:
      'Too many authoritative (auth=true) requests; retry after the Retry-After delay, or resolve without auth=true.',
  },
  IDN_ERR_OVERLOADED: {
    rc: HandleRc.SERVER_BUSY,
    http: 503,
    grpc: GrpcCode.UNAVAILABLE,
    message:
      'The node is overloaded (event-loop delay or heap above its limit) and sheds requests; retry after the Retry-After delay.',
  },
  IDN_ERR_UNAVAILABLE: {
    rc: HandleRc.SERVER_BUSY,
    http: 503,
    grpc: GrpcCode.UNAVAILABLE,
    message: 'The node cannot serve this request now; retry later.',
  },
  IDN_ERR_STORE_UNAVAILABLE: {
    rc: HandleRc.ERROR,
    http: 503,
    grpc: GrpcCode.UNAVAILABLE,
    // Neutral: reads meet an outage too. The write path says what happened to the change.
    message: 'The store is unavailable; retry later.',
  },
  IDN_ERR_STORAGE_FULL: {
    // Handle has no "storage full" code, and SERVER_BUSY (whose HTTP status is 503) invites an
    // immediate retry; the generic ERROR lets HTTP say 507, which tells the client to wait for space.
    rc: HandleRc.ERROR,
    http: 507,
    grpc: GrpcCode.RESOURCE_EXHAUSTED,
    message:
      'The node has no storage space left (disk or store memory full); the change was not made. Free space on the data directory (or raise Redis maxmemory) and retry.',
  },
  IDN_ERR_INTERNAL: {
    rc: HandleRc.ERROR,
    http: 500,
    grpc: GrpcCode.INTERNAL,
    message: 'Internal error; the node keeps serving.',
  },
} as const satisfies Record<`IDN_ERR_${string}`, ErrorSpec>;

export type ErrorCode = keyof typeof ERRORS;
