/**
 * C2SP tlog-tiles paths: `tile/<L>/<N>[.p/<W>]` and `tile/entries/<N>[.p/<W>]`, where N is written
 * in 3-digit groups and every group but the last carries an `x` (1234067 is x001/x234/067).
 */

export const TILE_HEIGHT = 8;
export const TILE_WIDTH = 256;
/** tlog-tiles allows levels 0..63; a JS number reaches 2^53 leaves, so 6 tile levels are plenty. */
export const MAX_LEVEL = 63;

export function encodeTileIndex(n: number): string {
  const digits = String(n);
  const groups: string[] = [];
  for (let end = digits.length; end > 0; end -= 3) groups.unshift(digits.slice(Math.max(0, end - 3), end));
  const padded = groups.map((g) => g.padStart(3, '0'));
  return padded.map((g, i) => (i < padded.length - 1 ? `x${g}` : g)).join('/');
}

export interface TileAddress {
  /** 'entries' for an entry bundle, else the hash level. */
  readonly level: number | 'entries';
  readonly index: number;
  /** 1..255 for a partial tile; 256 for a full one. */
  readonly width: number;
}

export function tilePath(t: TileAddress): string {
  const base = `tile/${String(t.level)}/${encodeTileIndex(t.index)}`;
  return t.width === TILE_WIDTH ? base : `${base}.p/${String(t.width)}`;
}

const GROUP = /^x\d{3}$/;
const LAST = /^\d{3}$/;
const LEVEL = /^(0|[1-9]\d?)$/;
const WIDTH = /^([1-9]\d?|1\d\d|2[0-4]\d|25[0-5])$/;

/** Parses what follows `tile/` (e.g. `0/x001/000.p/7`); undefined when it is not a tile path. */
export function parseTilePath(rest: string): TileAddress | undefined {
  const parts = rest.split('/');
  const head = parts.shift();
  const level = head === 'entries' ? 'entries' : head !== undefined && LEVEL.test(head) ? Number(head) : undefined;
  if (level === undefined || (typeof level === 'number' && level > MAX_LEVEL)) return undefined;
  let width = TILE_WIDTH;
  if (parts.length >= 2 && parts[parts.length - 2]?.endsWith('.p')) {
    const w = parts.pop()!;
    if (!WIDTH.test(w)) return undefined;
    width = Number(w);
    parts[parts.length - 1] = parts[parts.length - 1]!.slice(0, -2);
  }
  if (parts.length === 0 || parts.length > 6) return undefined;
  const last = parts.pop()!;
  if (!LAST.test(last) || !parts.every((g) => GROUP.test(g))) return undefined;
  const index = Number([...parts.map((g) => g.slice(1)), last].join(''));
  // One spelling per tile: no leading zero group (x000/005 is 005).
  if (encodeTileIndex(index) !== [...parts, last].join('/')) return undefined;
  return { level, index, width };
}
