/**
 * Numbers of the Handle protocol (RFC 3652 §2.2; opcodes and flags as CNRI's HANDLE.NET 9 and
 * the clients built on it use them: /work/shared/research/handle_protocol.md §1-2). Response codes
 * are the error table's (errors/codes.ts HandleRc); the ones only this transport sends are here.
 */

export const OC = {
  RESOLUTION: 1,
  GET_SITE_INFO: 2,
  CREATE_HANDLE: 100,
  DELETE_HANDLE: 101,
  ADD_VALUE: 102,
  REMOVE_VALUE: 103,
  MODIFY_VALUE: 104,
  RESPONSE_TO_CHALLENGE: 200,
} as const;
export type OpCode = (typeof OC)[keyof typeof OC];

/** Bounded metric label: the opcodes this server knows by name, everything else "other". */
export function opcodeLabel(op: number): string {
  for (const [name, v] of Object.entries(OC)) if (v === op) return name.toLowerCase();
  return 'other';
}

export const ADMIN_OPCODES: ReadonlySet<number> = new Set([
  OC.CREATE_HANDLE,
  OC.DELETE_HANDLE,
  OC.ADD_VALUE,
  OC.REMOVE_VALUE,
  OC.MODIFY_VALUE,
]);

/** OpFlag bits of the message header (RFC 3652 §2.2.2.3; CNRI masks). */
export const FLAG = {
  AT: 0x80000000,
  CT: 0x40000000,
  ENC: 0x20000000,
  REC: 0x10000000,
  CA: 0x08000000,
  CN: 0x04000000,
  KC: 0x02000000,
  PO: 0x01000000,
  RD: 0x00800000,
  OVRW: 0x00400000,
  MINT: 0x00200000,
  DNRF: 0x00100000,
} as const;

/** Envelope flag byte (byte 2): high 3 bits are CP / EC / TC, low 2 bits CNRI's suggested major version. */
export const ENV = { CP: 0x80, EC: 0x40, TC: 0x20, SUGGESTED_MAJOR_MASK: 0x03 } as const;

export const ENVELOPE_SIZE = 20;
export const HEADER_SIZE = 24;
/** CNRI readers refuse a MessageLength above this (core/Common.java MAX_MESSAGE_LENGTH). */
export const MAX_MESSAGE_LENGTH = 262_144;
/** A UDP datagram: envelope plus at most 492 message bytes (CNRI's receive buffer is exactly 512). */
export const UDP_DATAGRAM = 512;
export const UDP_CHUNK = UDP_DATAGRAM - ENVELOPE_SIZE;

/** The highest protocol version this server speaks; responses use min(client's suggested, this). */
export const SERVER_VERSION = { major: 2, minor: 11 } as const;
/** Seconds a response stays valid: CNRI clients drop expired responses; CNRI uses 12 h. */
export const RESPONSE_LIFETIME_S = 43_200;

/** Response codes only this transport sends (the error table holds the rest). */
export const TRANSPORT_RC = {
  AUTHEN_TIMEOUT: 405,
  AUTHEN_ERROR: 406,
} as const;
