import type { ResolutionCache } from '../../cache/resolution-cache.ts';
import type { ParsedIdentifier } from '../../identifier/index.ts';
import { isLive, type HandleValue, type StoredRecord } from '../../records/types.ts';
import type { Store } from '../../store/store.ts';
import type { DerivedVia, Outcome, Stage } from '../outcome.ts';
import { RenderMemo } from '../render-memo.ts';
import { compilePattern, fillValue, type SuffixPattern } from './suffix-pattern.ts';

/**
 * Template records: one record answers for every suffix that matches its pattern, so a maker of a
 * million batteries registers one record, not a million. A template lives at the reserved suffix
 * `TEMPLATE.<name>` under its prefix (e.g. `88.100.5/TEMPLATE.BAT`) and carries a `TEMPLATE` value
 * `{"pattern": "BAT-{batch}-{serial}"}`; its other values are rendered with `{suffix}`, `{prefix}`,
 * `{handle}` and the pattern's variables filled. An exact record always wins (this stage runs only
 * after the store missed), and a deleted one stays deleted (410), never revived by a template.
 */

export const TEMPLATE_SUFFIX = 'TEMPLATE.';
export const TEMPLATE_TYPE = 'TEMPLATE';
export const WALKUP_TYPE = 'WALKUP';

const TEMPLATE_KEY_PART = '/template.';
const LIST_PAGE = 500;

/** Values that configure resolution and are not part of any answer. */
export const isConfigValue = (v: HandleValue): boolean => {
  const t = v.type.toUpperCase();
  return t === TEMPLATE_TYPE || t === WALKUP_TYPE;
};

/** The pattern of a TEMPLATE value: `{"pattern": "..."}` (json) or the pattern itself (string). */
export function templatePatternOf(v: HandleValue): string | undefined {
  const d = v.data.value;
  if (typeof d === 'string') return d;
  if (d !== null && typeof d === 'object' && typeof (d as { pattern?: unknown }).pattern === 'string') {
    return (d as { pattern: string }).pattern;
  }
  return undefined;
}

export const isTemplateKey = (key: string): boolean => key.includes(TEMPLATE_KEY_PART);

interface CompiledTemplate {
  readonly record: StoredRecord;
  readonly pattern: SuffixPattern;
}

/** A record answering for another identifier: the requested handle, the source's values, config values left out. */
export function derivedRecord(
  id: ParsedIdentifier,
  source: StoredRecord,
  vars?: Readonly<Record<string, string>>,
): StoredRecord {
  const values: HandleValue[] = [];
  for (const v of source.values) if (!isConfigValue(v)) values.push(vars ? fillValue(v, vars) : v);
  return {
    handle: id.handle,
    values,
    version: source.version,
    createdAt: source.createdAt,
    updatedAt: source.updatedAt,
  };
}

/**
 * Derived answers (template, walk-up) depend on records other than the identifier's own. The
 * resolution cache keeps them under the identifier's key, so a change to a source must drop them:
 * a template or a prefix record (0.NA, which holds WALKUP) changing clears the cache (rare admin
 * events); a batch, model or enterprise record changing drops the answers derived from it,
 * tracked per source up to a bound, past which a change to any tracked source clears the cache.
 */
export class DerivedAnswers {
  private readonly store: Store;
  private readonly cache: ResolutionCache | undefined;
  private readonly templates = new Map<string, Promise<readonly CompiledTemplate[]>>();
  private readonly dependents = new Map<string, Set<string>>();
  private tracked = 0;
  private overflowed = false;
  private readonly maxTracked: number;

  constructor(store: Store, cache: ResolutionCache | undefined, maxTracked = 200_000) {
    this.store = store;
    this.cache = cache;
    this.maxTracked = maxTracked;
  }

  /** Fed from the change feed with every changed key. */
  changed(key: string): void {
    if (isTemplateKey(key) || key.startsWith('0.na/')) {
      if (isTemplateKey(key)) this.templates.delete(key.slice(0, key.indexOf('/')));
      this.dropAllDerived();
      return;
    }
    const deps = this.dependents.get(key);
    if (deps === undefined) return;
    if (this.overflowed) return this.dropAllDerived();
    this.dependents.delete(key);
    this.tracked -= deps.size;
    for (const k of deps) this.cache?.invalidate(k);
  }

  /** `itemKey`'s answer was derived after looking at `sourceKey` (found or not). */
  dependOn(sourceKey: string, itemKey: string): void {
    if (this.cache === undefined) return;
    let set = this.dependents.get(sourceKey);
    if (set === undefined) this.dependents.set(sourceKey, (set = new Set()));
    if (this.overflowed || set.has(itemKey)) return;
    if (this.tracked >= this.maxTracked) {
      // Keep the sources (few), forget the items (many): a source change then clears everything.
      this.overflowed = true;
      for (const s of this.dependents.values()) s.clear();
      this.tracked = 0;
      return;
    }
    set.add(itemKey);
    this.tracked++;
  }

  private dropAllDerived(): void {
    this.cache?.clear();
    this.dependents.clear();
    this.tracked = 0;
    this.overflowed = false;
  }

  /** Templates under a prefix, most specific first; loaded once and kept until one of them changes. */
  templatesFor(prefixKey: string): Promise<readonly CompiledTemplate[]> {
    let p = this.templates.get(prefixKey);
    if (p === undefined) {
      p = this.loadTemplates(prefixKey);
      this.templates.set(prefixKey, p);
      // A failed load (store down) must not stick: the next miss tries again.
      p.catch(() => this.templates.delete(prefixKey));
    }
    return p;
  }

  private async loadTemplates(prefixKey: string): Promise<readonly CompiledTemplate[]> {
    const out: CompiledTemplate[] = [];
    let after: string | undefined;
    do {
      const page = await this.store.list(`${prefixKey}${TEMPLATE_KEY_PART}`, {
        limit: LIST_PAGE,
        ...(after === undefined ? {} : { after }),
      });
      for (const key of page.keys) {
        const record = await this.store.get(key);
        if (isLive(record)) out.push(...compileTemplates(record));
      }
      after = page.next;
    } while (after !== undefined);
    return out.sort((a, b) => b.pattern.specificity - a.pattern.specificity);
  }

  async match(
    id: ParsedIdentifier,
  ): Promise<{ record: StoredRecord; vars: Readonly<Record<string, string>> } | undefined> {
    const templates = await this.templatesFor(id.prefixKey);
    for (const t of templates) {
      const vars = t.pattern.match(id.suffix);
      if (vars !== undefined)
        return { record: t.record, vars: { ...vars, suffix: id.suffix, prefix: id.prefix, handle: id.handle } };
    }
    return undefined;
  }
}

function compileTemplates(record: StoredRecord): CompiledTemplate[] {
  const out: CompiledTemplate[] = [];
  for (const v of record.values) {
    if (v.type.toUpperCase() !== TEMPLATE_TYPE) continue;
    const source = templatePatternOf(v);
    if (source === undefined) continue;
    try {
      out.push({ record, pattern: compilePattern(source) });
    } catch {
      // Written before validation existed, or synced from elsewhere: skip it rather than fail resolution.
    }
  }
  return out;
}

export const derivedFound = (record: StoredRecord, via: DerivedVia, answeredBy: string): Outcome => ({
  kind: 'found',
  record,
  source: 'store',
  memo: new RenderMemo(),
  resolvedVia: via,
  answeredBy,
});

/** Runs after the store missed: the most specific matching template answers, with its variables filled. */
export function createTemplateStage(derived: DerivedAnswers): Stage {
  return {
    name: 'template',
    async run(req, next): Promise<Outcome> {
      const outcome = await next(req);
      if (outcome.kind !== 'not-found' || outcome.gone !== undefined || req.id.prefixKey === '0.na') return outcome;
      if (req.id.suffix.toUpperCase().startsWith(TEMPLATE_SUFFIX)) return outcome;
      const hit = await derived.match(req.id);
      if (hit === undefined) return outcome;
      return derivedFound(derivedRecord(req.id, hit.record, hit.vars), 'template', hit.record.handle);
    },
  };
}
