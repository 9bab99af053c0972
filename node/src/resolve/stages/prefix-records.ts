import { NA_PREFIX_KEY, naHandleOf } from '../../authority/homed-prefixes.ts';
import { parseIdentifier, type ParsedIdentifier } from '../../identifier/index.ts';
import type { ChangeListener } from '../../store/change-feed.ts';
import type { Next, Outcome } from '../outcome.ts';

/** Prefixes remembered at most; past it the memo starts again (sub-prefixes are many, homed roots few). */
const MAX_PREFIXES = 1_024;
const NA_KEY_START = `${NA_PREFIX_KEY}/`;

interface Known {
  readonly id: ParsedIdentifier;
  outcome: Promise<Outcome> | undefined;
}

/**
 * The prefix records `0.NA/<prefix>` as the walk-up reads them: every identifier under a prefix
 * that has no record of its own asks for its prefix record (WALKUP, gs1:handledBy), so a flood of
 * unknown identifiers would read and decode the same record on every request. Kept here from the
 * store's own answer and dropped, like the template index, when the change feed names the key (or
 * has a gap); answers from elsewhere (upstream, referrals, errors) are never kept.
 */
export class PrefixRecords implements ChangeListener {
  /** By prefix as asked (spellings of one prefix share a key, so a change resets each of them). */
  private readonly known = new Map<string, Known>();

  changed(key: string): void {
    if (!key.startsWith(NA_KEY_START)) return;
    for (const k of this.known.values()) if (k.id.key === key) k.outcome = undefined;
  }

  gap(): void {
    this.known.clear();
  }

  /** The prefix record of `prefix` through `load` (the sub-lookup), or as loaded before. */
  lookup(prefix: string, load: Next): { readonly id: ParsedIdentifier; readonly outcome: Promise<Outcome> } {
    const k = this.entry(prefix);
    const kept = k.outcome;
    if (kept !== undefined) return { id: k.id, outcome: kept };
    const outcome = load({ id: k.id, authoritative: false });
    k.outcome = outcome;
    void outcome.then((o) => {
      // Only the store's own answer is this node's to keep (the change feed covers it).
      if (k.outcome === outcome && !((o.kind === 'found' || o.kind === 'not-found') && o.source === 'store')) {
        k.outcome = undefined;
      }
    });
    return { id: k.id, outcome };
  }

  private entry(prefix: string): Known {
    const known = this.known.get(prefix);
    if (known !== undefined) return known;
    if (this.known.size >= MAX_PREFIXES) this.gap();
    const id = parseIdentifier(naHandleOf(prefix), 'text');
    const k: Known = { id, outcome: undefined };
    this.known.set(prefix, k);
    return k;
  }
}
