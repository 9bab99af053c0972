import { naHandleOf } from '../../authority/homed-prefixes.ts';
import { IdnError } from '../../errors/idn-error.ts';
import { parseIdentifier, type ParsedIdentifier } from '../../identifier/index.ts';
import type { HandleValue, StoredRecord } from '../../records/types.ts';
import type { Next, Outcome, Stage } from '../outcome.ts';
import { compilePattern, fillText } from './suffix-pattern.ts';
import { derivedFound, derivedRecord, WALKUP_TYPE } from './template.ts';

/**
 * Walk-up (EN 18219 granularity: item -> batch -> model): when an item has no record, or its record
 * lacks what was asked for, the answer comes from its batch, then its model, then the enterprise's
 * default record. The enterprise configures it with a `WALKUP` value (json) on its prefix record
 * `0.NA/<prefix>`, which an item record's own WALKUP value overrides:
 *
 * ```json
 * { "pattern": "BAT-{batch}-{serial}", "batch": "BATCH-{batch}", "model": "MODEL-{model}", "enterprise": "DEFAULT" }
 * ```
 * Targets are suffixes under the item's prefix (or full identifiers, with "/"), filled from the
 * pattern's variables. Explicit links win over derived ones: an item's `BATCH` value names its
 * batch, an item's or batch's `MODEL` value names its model. At most three levels, each identifier
 * visited once: no loops whatever the records say.
 */

export const WALKUP_LEVELS = ['batch', 'model', 'enterprise'] as const;
export type WalkUpLevel = (typeof WALKUP_LEVELS)[number];

export interface WalkUpConfig {
  readonly pattern?: string;
  readonly batch?: string;
  readonly model?: string;
  readonly enterprise?: string;
}

const MAX_TARGET = 320;

const invalid = (why: string): never => {
  throw new IdnError('IDN_ERR_INVALID_TEMPLATE', `WALKUP: ${why}.`);
};

/** Parses and checks a WALKUP value (also used to refuse a bad one at write time). */
export function parseWalkUp(v: HandleValue): WalkUpConfig {
  const d = v.data.value;
  if (d === null || typeof d !== 'object' || Array.isArray(d)) return invalid('the value must be a JSON object');
  const cfg: Record<string, string> = {};
  for (const [k, val] of Object.entries(d)) {
    if (k !== 'pattern' && !(WALKUP_LEVELS as readonly string[]).includes(k)) {
      invalid(`unknown field "${k.slice(0, 30)}" (pattern, batch, model, enterprise)`);
    }
    if (typeof val !== 'string' || val.length === 0 || val.length > MAX_TARGET) {
      invalid(`"${k}" must be a string of 1-${MAX_TARGET} characters`);
    }
    cfg[k] = val as string;
  }
  if (cfg.pattern !== undefined) compilePattern(cfg.pattern);
  return cfg;
}

const valueOfType = (r: StoredRecord | undefined, type: string): HandleValue | undefined =>
  r?.values.find((v) => v.type.toUpperCase() === type);

function configOf(r: StoredRecord | undefined): WalkUpConfig | undefined {
  const v = valueOfType(r, WALKUP_TYPE);
  if (v === undefined) return undefined;
  try {
    return parseWalkUp(v);
  } catch {
    return undefined;
  }
}

/** A string value naming another identifier (BATCH, MODEL). */
const pointer = (r: StoredRecord | undefined, type: string): string | undefined => {
  const d = valueOfType(r, type)?.data.value;
  return typeof d === 'string' && d.length > 0 ? d : undefined;
};

/** A target filled from the variables; undefined when a variable is missing (no guessing). */
function target(
  id: ParsedIdentifier,
  text: string | undefined,
  vars: Record<string, string>,
): ParsedIdentifier | undefined {
  if (text === undefined) return undefined;
  const filled = fillText(text, vars);
  if (filled.includes('{')) return undefined;
  try {
    return parseIdentifier(filled.includes('/') ? filled : `${id.prefix}/${filled}`, 'text');
  } catch {
    return undefined;
  }
}

export interface WalkUpHit {
  readonly level: WalkUpLevel;
  readonly record: StoredRecord;
}

export interface WalkUpOptions {
  /** The item's own record, when it exists (it lacks what was asked for). */
  readonly item?: StoredRecord;
  /** Whether an ancestor answers; the first that does wins. */
  readonly accept: (record: StoredRecord) => boolean;
  /** Told every identifier key looked at, found or not, and what that answer itself rests on (cache invalidation). */
  readonly looked?: (key: string, dependsOn: readonly string[] | undefined) => void;
}

const usable = (o: Outcome): StoredRecord | undefined =>
  // Only the ancestor's own record or its template: an ancestor that itself walked up is not that level.
  o.kind === 'found' && (o.resolvedVia === undefined || o.resolvedVia === 'template') ? o.record : undefined;

/** Finds the first of batch, model, enterprise that exists and is accepted; bounded, loop-free. */
export async function walkUp(resolve: Next, id: ParsedIdentifier, opts: WalkUpOptions): Promise<WalkUpHit | undefined> {
  const na = await lookup(resolve, parseIdentifier(naHandleOf(id.prefix), 'text'), opts);
  const cfg = configOf(opts.item) ?? configOf(na);
  if (cfg === undefined && pointer(opts.item, 'BATCH') === undefined && pointer(opts.item, 'MODEL') === undefined) {
    return undefined;
  }
  const matched = cfg?.pattern === undefined ? undefined : compilePattern(cfg.pattern).match(id.suffix);
  const vars: Record<string, string> = { ...matched, suffix: id.suffix, prefix: id.prefix };
  const visited = new Set([id.key]);
  const visit = async (t: ParsedIdentifier | undefined): Promise<StoredRecord | undefined> => {
    if (t === undefined || visited.has(t.key)) return undefined;
    visited.add(t.key);
    return lookup(resolve, t, opts);
  };
  const accepted = (r: StoredRecord | undefined): r is StoredRecord => r !== undefined && opts.accept(r);
  const batch = await visit(target(id, pointer(opts.item, 'BATCH') ?? cfg?.batch, vars));
  if (accepted(batch)) return { level: 'batch', record: batch };
  const modelText = pointer(opts.item, 'MODEL') ?? pointer(batch, 'MODEL') ?? cfg?.model;
  const model = await visit(target(id, modelText, vars));
  if (accepted(model)) return { level: 'model', record: model };
  const enterprise = await visit(target(id, cfg?.enterprise, vars));
  return accepted(enterprise) ? { level: 'enterprise', record: enterprise } : undefined;
}

async function lookup(resolve: Next, t: ParsedIdentifier, opts: WalkUpOptions): Promise<StoredRecord | undefined> {
  const o = await resolve({ id: t, authoritative: false });
  opts.looked?.(t.key, o.kind === 'found' || o.kind === 'not-found' ? o.dependsOn : undefined);
  return usable(o);
}

/** A sub-lookup carrying the asking request's loop guard. */
export const withVia = (lookup: Next, via: readonly string[] | undefined): Next =>
  via === undefined ? lookup : (r) => lookup({ ...r, via });

/**
 * Runs after the store and templates missed: answers from the batch, model or enterprise record.
 * Ancestors are looked up through `lookup`, the driver's sub-lookup (order.ts): the inner stages,
 * never the cache or the metrics, as no ancestor lookup is a resolution of its own.
 */
export function createWalkUpStage(lookup: Next): Stage {
  return {
    name: 'walk-up',
    async run(req, next): Promise<Outcome> {
      const outcome = await next(req);
      if (outcome.kind !== 'not-found' || outcome.gone !== undefined || req.id.prefixKey === '0.na') return outcome;
      // Found or not, the answer rests on every record looked at: registering a missing batch changes it.
      const sources = new Set(outcome.dependsOn);
      const hit = await walkUp(withVia(lookup, req.via), req.id, {
        accept: () => true,
        looked: (key, deps) => {
          sources.add(key);
          for (const d of deps ?? []) sources.add(d);
        },
      });
      const dependsOn = [...sources];
      if (hit === undefined) return { ...outcome, dependsOn };
      return derivedFound(derivedRecord(req.id, hit.record), hit.level, hit.record.handle, dependsOn);
    },
  };
}
