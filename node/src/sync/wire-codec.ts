/*
 * The sync stream's side of the one wire codec (node/src/wire/): ChangeEntry <-> idnode.v1.ChangeEntry
 * and coded errors in acks. Value data travels as JSON text, so a record round-trips exactly and the
 * top-level copy compares equal; an unknown tier reads as 'authority' and a malformed entry is refused
 * with IDN_ERR_PEER_MALFORMED, never applied half-decoded.
 */
export { entryFromWire, entryToWire } from '../wire/change-codec.ts';
export { errorToWire } from '../wire/error-codec.ts';
