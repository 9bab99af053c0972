import { namespaceKey } from '../../cache/dependencies.ts';
import type { ParsedIdentifier } from '../../identifier/index.ts';
import { isLive, type HandleValue, type StoredRecord } from '../../records/types.ts';
import type { ChangeListener } from '../../store/change-feed.ts';
import type { ReadonlyStore } from '../../store/store.ts';
import type { DependsOn, DerivedVia, Outcome, Stage } from '../outcome.ts';
import { RenderMemo } from '../render-memo.ts';
import { isConfigValue, TEMPLATE_SUFFIX, TEMPLATE_TYPE, templatePatternOf } from '../../records/config-values.ts';
import { compilePattern, fillValue, type SuffixPattern } from '../../records/suffix-pattern.ts';

/**
 * Template records: one record answers for every suffix that matches its pattern, so a maker of a
 * million batteries registers one record, not a million. A template lives at the reserved suffix
 * `TEMPLATE.<name>` under its prefix (e.g. `88.100.5/TEMPLATE.BAT`) and carries a `TEMPLATE` value
 * `{"pattern": "BAT-{batch}-{serial}"}`; its other values are rendered with `{suffix}`, `{prefix}`,
 * `{handle}` and the pattern's variables filled. An exact record always wins (this stage runs only
 * after the store missed), and a deleted one stays deleted (410), never revived by a template.
 */

// Record-format definitions live in the core (records/config-values.ts); re-exported for the stage's importers.
export {
  isConfigValue,
  TEMPLATE_SUFFIX,
  TEMPLATE_TYPE,
  templatePatternOf,
  WALKUP_TYPE,
} from '../../records/config-values.ts';

const TEMPLATE_KEY_PART = '/template.';
const LIST_PAGE = 500;

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
 * The template index: which records are templates, their patterns compiled, per prefix. It listens
 * to the change feed itself (a template written or deleted, or a gap, drops the prefix's compiled
 * set); answers built from templates are the resolution cache's to drop (they carry `dependsOn`).
 */
export class TemplateIndex implements ChangeListener {
  private readonly store: ReadonlyStore;
  private readonly templates = new Map<string, Promise<readonly CompiledTemplate[]>>();

  constructor(store: ReadonlyStore) {
    this.store = store;
  }

  changed(key: string): void {
    if (isTemplateKey(key)) this.templates.delete(key.slice(0, key.indexOf('/')));
  }

  gap(): void {
    this.templates.clear();
  }

  /** Templates under a prefix, most specific first; loaded once and kept until one of them changes. */
  templatesFor(prefixKey: string): Promise<readonly CompiledTemplate[]> {
    const known = this.templates.get(prefixKey);
    if (known !== undefined) return known;
    const loading = this.loadTemplates(prefixKey);
    this.templates.set(prefixKey, loading);
    // A failed load (store down) must not stick: the next miss tries again (unless a newer load replaced it).
    loading.catch(() => {
      if (this.templates.get(prefixKey) === loading) this.templates.delete(prefixKey);
    });
    return loading;
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

export const derivedFound = (
  record: StoredRecord,
  via: DerivedVia,
  answeredBy: string,
  dependsOn: DependsOn,
  levels?: readonly StoredRecord[],
): Outcome => ({
  kind: 'found',
  record,
  source: 'store',
  memo: new RenderMemo(),
  resolvedVia: via,
  answeredBy,
  dependsOn,
  ...(levels === undefined || levels.length === 0 ? {} : { levels }),
});

/** What an answer under a prefix rests on once templates were consulted: every template of the prefix, written or not. */
export const templatesOf = (prefixKey: string): string => namespaceKey(prefixKey, TEMPLATE_TYPE);

/** Runs after the store missed: the most specific matching template answers, with its variables filled. */
export function createTemplateStage(index: TemplateIndex): Stage {
  return {
    name: 'template',
    async run(req, next): Promise<Outcome> {
      const outcome = await next(req);
      if (outcome.kind !== 'not-found' || outcome.gone !== undefined || req.id.prefixKey === '0.na') return outcome;
      if (req.id.suffix.toUpperCase().startsWith(TEMPLATE_SUFFIX)) return outcome;
      const dependsOn = [...(outcome.dependsOn ?? []), templatesOf(req.id.prefixKey)];
      const hit = await index.match(req.id);
      if (hit === undefined) return { ...outcome, dependsOn };
      return derivedFound(derivedRecord(req.id, hit.record, hit.vars), 'template', hit.record.handle, dependsOn);
    },
  };
}
