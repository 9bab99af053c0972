import { naHandleOf } from '../../authority/homed-prefixes.ts';
import { parseIdentifier, type ParsedIdentifier } from '../../identifier/index.ts';
import { gs1Ancestors, gs1PathOfSuffix, gs1Suffix } from '../../passport/gs1.ts';
import { HANDLED_BY_IRI, linkTypeIri } from '../../records/link-types.ts';
import { isLinkValue } from '../../records/link-value.ts';
import type { HandleValue, StoredRecord } from '../../records/types.ts';
import type { Next, Outcome, Stage } from '../outcome.ts';
import { parseWalkUp, WALKUP_TYPE, type WalkUpConfig, type WalkUpLevel } from '../../records/config-values.ts';
import { compilePattern, fillText } from '../../records/suffix-pattern.ts';
import type { PrefixRecords } from './prefix-records.ts';
import { derivedFound, derivedRecord } from './template.ts';

/**
 * Walk-up (EN 18219 granularity: item -> batch -> model): when an item has no record, or its record
 * lacks what was asked for, the answer comes from its batch, then its model, then the enterprise's
 * default record. The enterprise configures it with a `WALKUP` value (json) on its prefix record
 * `0.NA/<prefix>`, which an item record's own WALKUP value overrides:
 *
 * ```json
 * { "pattern": "BAT-{batch}-{serial}", "batch": "BATCH-{batch}", "model": "MODEL-{model}", "enterprise": "DEFAULT" }
 * ```
 * Targets are filled from the pattern's variables. A target whose first "/"-segment has a dot
 * (`88.100.6/MODEL-X`, `0.NA/88.100.5`) names a full identifier; any other target (`BATCH-{batch}`,
 * `01/{gtin}/10/{lot}`) is a suffix under the item's prefix. (Before, any target with a "/" was
 * taken as a full identifier, so `01/{gtin}` looked for prefix "01" and silently never matched.)
 * Explicit links win over derived ones: an item's `BATCH` value names its batch, an item's or
 * batch's `MODEL` value names its model. At most three levels, each identifier visited once: no
 * loops whatever the records say.
 *
 * GS1 key qualifiers walk up with no configuration at all (GS1 Resolver 1.2): an identifier whose
 * suffix is a GS1 Digital Link path (`01/{gtin}/10/{lot}/21/{serial}`) answers from its lot, else
 * its GTIN (x-idnode-resolved-via: batch for a lot, model above it), before any WALKUP rule.
 * Last, a prefix record `0.NA/<prefix>` whose LINK values are `gs1:handledBy` hands every
 * identifier under the prefix that has no record of its own to that resolver.
 */

export { parseWalkUp, WALKUP_LEVELS, type WalkUpConfig, type WalkUpLevel } from '../../records/config-values.ts';

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
  const first = filled.split('/')[0] ?? '';
  try {
    return parseIdentifier(filled.includes('/') && first.includes('.') ? filled : `${id.prefix}/${filled}`, 'text');
  } catch {
    return undefined;
  }
}

export interface WalkUpHit {
  readonly level: WalkUpLevel;
  readonly record: StoredRecord;
  /** GS1 levels above the one that answered, nearest first, up to the primary key. */
  readonly above?: readonly StoredRecord[];
}

export interface WalkUpOptions {
  /** The item's own record, when it exists (it lacks what was asked for). */
  readonly item?: StoredRecord;
  /** Whether an ancestor answers; the first that does wins. */
  readonly accept: (record: StoredRecord) => boolean;
  /** Told every identifier key looked at, found or not, and what that answer itself rests on (cache invalidation). */
  readonly looked?: (key: string, dependsOn: readonly string[] | undefined) => void;
  /** Whether a prefix record with gs1:handledBy links answers last (only for identifiers without a record). */
  readonly handOff?: boolean;
  /** The prefix records as read before (the walk-up stage's, for requests not forwarded between nodes). */
  readonly prefixRecords?: PrefixRecords;
}

const usable = (o: Outcome): StoredRecord | undefined =>
  // Only the ancestor's own record or its template: an ancestor that itself walked up is not that level.
  o.kind === 'found' && (o.resolvedVia === undefined || o.resolvedVia === 'template') ? o.record : undefined;

type Visit = (t: ParsedIdentifier | undefined) => Promise<StoredRecord | undefined>;

interface FoundLevel {
  readonly kind: 'batch' | 'model';
  readonly record: StoredRecord;
}

/** The existing records of the GS1 levels above `id`, nearest first (none when its suffix is no GS1 path). */
async function gs1Levels(id: ParsedIdentifier, visit: Visit): Promise<FoundLevel[]> {
  const path = gs1PathOfSuffix(id.suffix);
  if (path === undefined) return [];
  const found: FoundLevel[] = [];
  for (const level of gs1Ancestors(path)) {
    let t: ParsedIdentifier | undefined;
    try {
      t = parseIdentifier(`${id.prefix}/${gs1Suffix(level.path)}`, 'text');
    } catch {
      t = undefined;
    }
    const record = await visit(t);
    if (record !== undefined) found.push({ kind: level.kind, record });
  }
  return found;
}

/** The records of the GS1 levels above an identifier that has its own record: its linkset lists their links. */
export async function levelsAbove(resolve: Next, id: ParsedIdentifier, opts: Omit<WalkUpOptions, 'accept'>) {
  const visited = new Set([id.key]);
  const levels = await gs1Levels(id, visitor(resolve, visited, opts));
  return levels.map((l) => l.record);
}

function visitor(resolve: Next, visited: Set<string>, opts: Omit<WalkUpOptions, 'accept'>): Visit {
  return async (t) => {
    if (t === undefined || visited.has(t.key)) return undefined;
    visited.add(t.key);
    return lookup(resolve, t, opts);
  };
}

/** The prefix record's gs1:handledBy links as a record: everything under the prefix goes to that resolver. */
function handOffOf(na: StoredRecord | undefined): StoredRecord | undefined {
  const values = na?.values.filter((v) => isLinkValue(v) && linkTypeIriOf(v) === HANDLED_BY_IRI) ?? [];
  return na === undefined || values.length === 0 ? undefined : { ...na, values };
}

const linkTypeIriOf = (v: HandleValue): string | undefined => {
  const t = (v.data.value as { linkType?: unknown }).linkType;
  return typeof t === 'string' ? linkTypeIri(t) : undefined;
};

/** Finds the first GS1 level, else batch, model, enterprise that exists and is accepted; bounded, loop-free. */
export async function walkUp(resolve: Next, id: ParsedIdentifier, opts: WalkUpOptions): Promise<WalkUpHit | undefined> {
  const visited = new Set([id.key]);
  const visit = visitor(resolve, visited, opts);
  const levels = await gs1Levels(id, visit);
  const at = levels.findIndex((l) => opts.accept(l.record));
  const gs1 = levels[at];
  if (gs1 !== undefined)
    return { level: gs1.kind, record: gs1.record, above: levels.slice(at + 1).map((l) => l.record) };
  const na = await prefixRecord(resolve, id, opts);
  const handOff = opts.handOff === true ? handOffOf(na) : undefined;
  const hit = await configuredWalk(id, opts, na, visit);
  return hit ?? (handOff === undefined ? undefined : { level: 'enterprise', record: handOff });
}

/** The walk the enterprise configured (WALKUP on 0.NA/<prefix> or on the item) and the item's BATCH / MODEL values. */
async function configuredWalk(
  id: ParsedIdentifier,
  opts: WalkUpOptions,
  na: StoredRecord | undefined,
  visit: Visit,
): Promise<WalkUpHit | undefined> {
  const cfg = configOf(opts.item) ?? configOf(na);
  if (cfg === undefined && pointer(opts.item, 'BATCH') === undefined && pointer(opts.item, 'MODEL') === undefined) {
    return undefined;
  }
  const matched = cfg?.pattern === undefined ? undefined : compilePattern(cfg.pattern).match(id.suffix);
  const vars: Record<string, string> = { ...matched, suffix: id.suffix, prefix: id.prefix };
  const accepted = (r: StoredRecord | undefined): r is StoredRecord => r !== undefined && opts.accept(r);
  const batch = await visit(target(id, pointer(opts.item, 'BATCH') ?? cfg?.batch, vars));
  if (accepted(batch)) return { level: 'batch', record: batch };
  const modelText = pointer(opts.item, 'MODEL') ?? pointer(batch, 'MODEL') ?? cfg?.model;
  const model = await visit(target(id, modelText, vars));
  if (accepted(model)) return { level: 'model', record: model };
  const enterprise = await visit(target(id, cfg?.enterprise, vars));
  return accepted(enterprise) ? { level: 'enterprise', record: enterprise } : undefined;
}

async function lookup(
  resolve: Next,
  t: ParsedIdentifier,
  opts: Pick<WalkUpOptions, 'looked'>,
): Promise<StoredRecord | undefined> {
  const o = await resolve({ id: t, authoritative: false });
  opts.looked?.(t.key, o.kind === 'found' || o.kind === 'not-found' ? o.dependsOn : undefined);
  return usable(o);
}

/** The prefix record of `id`'s prefix, from the memo when there is one. */
async function prefixRecord(
  resolve: Next,
  id: ParsedIdentifier,
  opts: WalkUpOptions,
): Promise<StoredRecord | undefined> {
  if (opts.prefixRecords === undefined) return lookup(resolve, parseIdentifier(naHandleOf(id.prefix), 'text'), opts);
  const na = opts.prefixRecords.lookup(id.prefix, resolve);
  const o = await na.outcome;
  opts.looked?.(na.id.key, o.kind === 'found' || o.kind === 'not-found' ? o.dependsOn : undefined);
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
export function createWalkUpStage(lookup: Next, prefixRecords?: PrefixRecords): Stage {
  return {
    name: 'walk-up',
    async run(req, next): Promise<Outcome> {
      const outcome = await next(req);
      if (req.id.prefixKey === '0.na') return outcome;
      if (outcome.kind === 'found') return withLevels(outcome, lookup, req.id, req.via);
      if (outcome.kind !== 'not-found' || outcome.gone !== undefined) return outcome;
      // Found or not, the answer rests on every record looked at: registering a missing batch changes it.
      const sources = new Set(outcome.dependsOn);
      const hit = await walkUp(withVia(lookup, req.via), req.id, {
        accept: () => true,
        looked: collect(sources),
        handOff: true,
        ...(prefixRecords === undefined || req.via !== undefined ? {} : { prefixRecords }),
      });
      const dependsOn = [...sources];
      if (hit === undefined) return { ...outcome, dependsOn };
      return derivedFound(derivedRecord(req.id, hit.record), hit.level, hit.record.handle, dependsOn, hit.above);
    },
  };
}

const collect =
  (sources: Set<string>) =>
  (key: string, deps: readonly string[] | undefined): void => {
    sources.add(key);
    for (const d of deps ?? []) sources.add(d);
  };

/** A found GS1 item with key qualifiers carries the records of its levels above (and rests on them). */
async function withLevels(
  outcome: Outcome & { kind: 'found' },
  lookup: Next,
  id: ParsedIdentifier,
  via: readonly string[] | undefined,
): Promise<Outcome> {
  const path = gs1PathOfSuffix(id.suffix);
  if (path === undefined || path.qualifiers.length === 0) return outcome;
  const sources = new Set(outcome.dependsOn);
  const levels = await levelsAbove(withVia(lookup, via), id, { looked: collect(sources) });
  return { ...outcome, dependsOn: [...sources], ...(levels.length === 0 ? {} : { levels }) };
}
