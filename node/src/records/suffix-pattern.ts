import { IdnError } from '../errors/idn-error.ts';
import type { HandleValue } from './types.ts';

/**
 * Suffix patterns for template and walk-up records, regex-free on purpose (owners write them, and a
 * user-written regex is a ReDoS risk): literal text, `*` (any run of characters), and variables
 * `{name}` or `{name:class}` with class `digits`, `alnum` or `any` (default: anything but "/").
 * `BAT-{batch}-{serial:digits}` matches `BAT-2025-000001` with batch=2025, serial=000001.
 * Letters match case-insensitively, as identifiers do.
 */
export interface SuffixPattern {
  readonly source: string;
  readonly variables: readonly string[];
  /** Literal characters: a more literal pattern is more specific and wins over a looser one. */
  readonly specificity: number;
  match(suffix: string): Readonly<Record<string, string>> | undefined;
}

const CLASSES: Record<string, string> = { digits: '[0-9]+', alnum: '[A-Za-z0-9]+', any: '[^/]+' };
const VAR = /^\{([a-z][a-z0-9_]{0,31})(?::([a-z]+))?\}/;
const RESERVED_VARS = new Set(['suffix', 'prefix', 'handle']);
const MAX_PATTERN = 200;
/** Few, separated wildcards keep the worst-case match cheap on a 255-byte suffix (no ReDoS). */
const MAX_WILDCARDS = 3;

const invalid = (pattern: string, why: string): never => {
  throw new IdnError('IDN_ERR_INVALID_TEMPLATE', `Pattern "${pattern.slice(0, 60)}": ${why}.`);
};

const escapeRegex = (s: string): string => s.replace(/[.*+?^${}()|[\]\\-]/g, '\\$&');

export function compilePattern(pattern: string): SuffixPattern {
  if (pattern.length === 0 || pattern.length > MAX_PATTERN) invalid(pattern, `must be 1-${MAX_PATTERN} characters`);
  let re = '';
  let specificity = 0;
  const variables: string[] = [];
  let wildcards = 0;
  let lastWild = false;
  const wild = (): void => {
    if (lastWild) invalid(pattern, 'two wildcards ({var} or *) must be separated by literal text');
    if (++wildcards > MAX_WILDCARDS) invalid(pattern, `at most ${MAX_WILDCARDS} variables and "*" in all`);
    lastWild = true;
  };
  for (let i = 0; i < pattern.length;) {
    const c = pattern[i]!;
    if (c === '*') {
      wild();
      re += '[^/]*?';
      i++;
      continue;
    }
    if (c === '{') {
      const m =
        VAR.exec(pattern.slice(i)) ?? invalid(pattern, `bad variable at position ${i} (use {name} or {name:digits})`);
      const [whole, name, cls] = m;
      if (RESERVED_VARS.has(name!)) invalid(pattern, `{${name}} is filled by the node, not by the pattern`);
      if (variables.includes(name!)) invalid(pattern, `variable {${name}} appears twice`);
      const charClass = CLASSES[cls ?? 'any'] ?? invalid(pattern, `unknown class "${cls}" (digits, alnum, any)`);
      wild();
      // Lazy, so `{batch}-{serial}` splits at the first "-"; anchored, so backtracking stays linear in practice.
      re += `(${charClass}?)`;
      variables.push(name!);
      i += whole.length;
      continue;
    }
    if (c === '}') invalid(pattern, `unmatched "}" at position ${i}`);
    re += escapeRegex(c);
    lastWild = false;
    specificity++;
    i++;
  }
  const regex = new RegExp(`^${re}$`, 'i');
  return {
    source: pattern,
    variables,
    specificity,
    match(suffix) {
      const m = regex.exec(suffix);
      if (m === null) return undefined;
      const vars: Record<string, string> = {};
      variables.forEach((name, k) => (vars[name] = m[k + 1]!));
      return vars;
    },
  };
}

/** `{name}` placeholders in a value; unknown names stay as written so mistakes are visible. */
const PLACEHOLDER = /\{([a-z][a-z0-9_]{0,31})\}/g;
const LOOKS_LIKE_URI = /^[A-Za-z][A-Za-z0-9+.-]*:/;

export function fillText(text: string, vars: Readonly<Record<string, string>>): string {
  if (!text.includes('{')) return text;
  // Parts substituted into a URI are percent-encoded, so a suffix can never inject a path, query or host.
  const encode = LOOKS_LIKE_URI.test(text);
  return text.replace(PLACEHOLDER, (whole, name: string) => {
    const v = vars[name];
    if (v === undefined) return whole;
    return encode ? encodeURIComponent(v) : v;
  });
}

function fillJson(value: unknown, vars: Readonly<Record<string, string>>, depth = 0): unknown {
  if (typeof value === 'string') return fillText(value, vars);
  if (depth > 8 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => fillJson(v, vars, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = fillJson(v, vars, depth + 1);
  return out;
}

/** A template value with the variables filled, in string data and in every string of JSON data. */
export function fillValue(v: HandleValue, vars: Readonly<Record<string, string>>): HandleValue {
  const filled = fillJson(v.data.value, vars);
  return filled === v.data.value ? v : { ...v, data: { ...v.data, value: filled } };
}
