import { parsePrefix, type ParsedPrefix } from '../identifier/index.ts';
import type { Problems } from './problems.ts';

/**
 * "88.100.5, 88.100.6" -> the parsed prefixes, duplicates (by lookup key) dropped; each bad item
 * is its own problem, so one typo does not hide another.
 */
export function parsePrefixList(variable: string, text: string, problems: Problems): ParsedPrefix[] {
  const seen = new Set<string>();
  const out: ParsedPrefix[] = [];
  for (const item of text.split(',').map((s) => s.trim())) {
    try {
      const p = parsePrefix(item, 'text');
      if (!seen.has(p.prefixKey)) out.push(p);
      seen.add(p.prefixKey);
    } catch (e) {
      problems.add(variable, `has a bad prefix ${JSON.stringify(item)}: ${(e as Error).message}`);
    }
  }
  return out;
}
