import { IdnError } from '../errors/idn-error.ts';
import { compilePattern } from './suffix-pattern.ts';
import type { HandleValue } from './types.ts';

/**
 * Values that configure resolution instead of answering: TEMPLATE records (resolve/stages/template.ts)
 * and WALKUP rules (resolve/stages/walk-up.ts). Their format is a value rule, checked at write time
 * (write/metadata-write-check.ts) and read by the stages, so it lives in the core below both.
 */

export const TEMPLATE_SUFFIX = 'TEMPLATE.';
export const TEMPLATE_TYPE = 'TEMPLATE';
export const WALKUP_TYPE = 'WALKUP';

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
