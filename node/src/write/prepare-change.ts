import { governingPrefix, type HomedPrefixes } from '../authority/homed-prefixes.ts';
import { IdnError } from '../errors/idn-error.ts';
import type { ParsedIdentifier } from '../identifier/index.ts';
import type { IdentifierChange } from '../records/change-set.ts';
import type { HandleValue } from '../records/types.ts';
import { validateValues, type ValueForm } from '../records/validate-values.ts';
import { checkValueShapes } from '../records/value-shape.ts';
import { valueFormOf, type Principal } from './principal.ts';

/** A change whose values passed every value rule and whose principal may attempt it. */
export interface PreparedChange {
  readonly change: IdentifierChange;
  /** Validated values to write (for upsert-indexes: only those named); absent for deletes. */
  readonly values?: readonly HandleValue[];
  /** The identifier is a prefix record `0.NA/<P>` (governed by the parent prefix). */
  readonly isNa: boolean;
}

export interface PrepareRules {
  readonly homed: HomedPrefixes;
  /** A caching node refuses every client write, naming where writes belong. */
  readonly refuseClientWrite?: (id: ParsedIdentifier) => IdnError;
}

function pickIndexes(values: HandleValue[], indexes: readonly number[] | undefined): HandleValue[] {
  if (indexes === undefined || indexes.length === 0) return values;
  const missing = indexes.filter((i) => !values.some((v) => v.index === i));
  if (missing.length > 0) {
    throw new IdnError(
      'IDN_ERR_INVALID_RECORD',
      `The body has no value at index ${missing.join(', ')} named in ?index=.`,
    );
  }
  const wanted = new Set(indexes);
  return values.filter((v) => wanted.has(v.index));
}

function validated(change: IdentifierChange, now: string, form: ValueForm): HandleValue[] | undefined {
  if (change.op === 'delete' || change.op === 'remove-indexes') return undefined;
  const path = change.valuesPath ?? 'values';
  // The wire schema first (PUT's body schema did it already; batch, import and sync did not).
  checkValueShapes(change.values, path);
  const values = validateValues(change.values, now, path, form);
  return change.op === 'upsert-indexes' ? pickIndexes(values, change.indexes) : values;
}

/**
 * Everything that can be judged without reading the store, in the order the API always answered:
 * the values (whoever sends them), a caching node's refusal, homing, then who may try at all.
 */
export function prepareChange(
  change: IdentifierChange,
  who: Principal,
  rules: PrepareRules,
  now: string,
): PreparedChange {
  const values = validated(change, now, valueFormOf(who));
  const id = change.id;
  if (who.kind === 'client' && rules.refuseClientWrite) throw rules.refuseClientWrite(id);
  const gov = governingPrefix(id);
  if ((who.kind === 'client' || who.homedOnly) && !rules.homed.covers(gov.prefixKey)) {
    throw new IdnError('IDN_ERR_NOT_RESPONSIBLE', `This node does not home prefix ${gov.prefix}.`, {
      prefix: gov.prefix,
    });
  }
  // An anonymous caller is told so before anything that depends on what exists (a missing prefix,
  // record or value), so a refused write discloses nothing.
  if (who.kind === 'client' && who.identity === undefined) throw new IdnError('IDN_ERR_AUTH_REQUIRED');
  if (who.kind === 'system' && !who.mayChange(id, change)) {
    throw new IdnError('IDN_ERR_NOT_AUTHORIZED', `${who.name} may not ${change.op} ${id.handle}.`, {
      identity: who.name,
      target: id.handle,
    });
  }
  return values === undefined ? { change, isNa: gov.isNa } : { change, values, isNa: gov.isNa };
}
