import { IdnError } from '../errors/idn-error.ts';
import { isAdminType } from '../records/admin-value.ts';
import { Perm } from '../records/permissions.ts';
import type { HandleValue } from '../records/types.ts';

/** A change to the values of a live identifier, its values already validated and sealed. */
export type ValueChange =
  | { readonly op: 'replace'; readonly values: readonly HandleValue[] }
  | { readonly op: 'upsert-indexes'; readonly values: readonly HandleValue[]; readonly mode?: 'add' | 'modify' }
  | { readonly op: 'remove-indexes'; readonly indexes: readonly number[] }
  /** Exactly these values, timestamps included: a copy of another node's record (sync apply). */
  | { readonly op: 'copy'; readonly values: readonly HandleValue[] };

export interface ValueChangePlan {
  readonly values: HandleValue[];
  /** Permission bits needed on the record's admins (0 when nothing changes). */
  readonly needed: number;
}

function sameValue(a: HandleValue, b: HandleValue): boolean {
  return (
    a.type === b.type &&
    a.ttl === b.ttl &&
    a.access === b.access &&
    a.data.format === b.data.format &&
    JSON.stringify(a.data.value) === JSON.stringify(b.data.value)
  );
}

/** The permission a single value change needs, by Handle's split of admin and non-admin values. */
function permFor(before: HandleValue | undefined, after: HandleValue | undefined): number {
  if (before && after) {
    if (sameValue(before, after)) return 0;
    const adminBefore = isAdminType(before.type);
    if (adminBefore !== isAdminType(after.type)) return permFor(before, undefined) | permFor(undefined, after);
    return adminBefore ? Perm.MODIFY_ADMIN : Perm.MODIFY_VALUE;
  }
  if (after) return isAdminType(after.type) ? Perm.ADD_ADMIN : Perm.ADD_VALUE;
  if (before) return isAdminType(before.type) ? Perm.REMOVE_ADMIN : Perm.REMOVE_VALUE;
  return 0;
}

function byIndex(values: readonly HandleValue[]): Map<number, HandleValue> {
  return new Map(values.map((v) => [v.index, v]));
}

/** Keeps the stored timestamp of values that did not change, so timestamps mean "last changed". */
function keepUnchangedTimestamps(next: HandleValue[], before: Map<number, HandleValue>): HandleValue[] {
  return next.map((v) => {
    const b = before.get(v.index);
    return b && sameValue(b, v) ? b : v;
  });
}

/** Handle's ADD_VALUE refuses an index in use, MODIFY_VALUE one that is missing. */
function checkUpsertMode(
  before: Map<number, HandleValue>,
  values: readonly HandleValue[],
  mode: 'add' | 'modify' | undefined,
): void {
  if (mode === undefined) return;
  const clash = values.filter((v) => before.has(v.index) === (mode === 'add')).map((v) => v.index);
  if (clash.length === 0) return;
  if (mode === 'add') {
    throw new IdnError('IDN_ERR_VALUE_EXISTS', `A value exists at index ${clash.join(', ')}; modify it instead.`, {
      indexes: clash,
    });
  }
  throw new IdnError('IDN_ERR_VALUE_NOT_FOUND', `No value at index ${clash.join(', ')}; add it instead.`, {
    indexes: clash,
  });
}

/** Values after the change and the permissions it needs, for an identifier that exists. */
export function planValueChange(existing: readonly HandleValue[], req: ValueChange): ValueChangePlan {
  const before = byIndex(existing);
  let next: HandleValue[];
  switch (req.op) {
    case 'replace':
      // A body without HS_ADMIN values replaces the data, not the administrators: keeping them
      // avoids locking the record by accident (to change admins, send HS_ADMIN values).
      next =
        countAdmins(req.values) > 0 ? [...req.values] : [...existing.filter((v) => isAdminType(v.type)), ...req.values];
      break;
    case 'upsert-indexes': {
      checkUpsertMode(before, req.values, req.mode);
      const m = new Map(before);
      for (const v of req.values) m.set(v.index, v);
      next = [...m.values()];
      break;
    }
    case 'copy':
      next = [...req.values];
      break;
    case 'remove-indexes': {
      const missing = req.indexes.filter((i) => !before.has(i));
      if (missing.length > 0) {
        throw new IdnError('IDN_ERR_VALUE_NOT_FOUND', `No value at index ${missing.join(', ')}.`, { indexes: missing });
      }
      const drop = new Set(req.indexes);
      next = existing.filter((v) => !drop.has(v.index));
      break;
    }
  }
  // A copy keeps the source's timestamps; an edit keeps the stored ones of values it did not change.
  next = (req.op === 'copy' ? next : keepUnchangedTimestamps(next, before)).sort((a, b) => a.index - b.index);
  const after = byIndex(next);
  let needed = 0;
  for (const i of new Set([...before.keys(), ...after.keys()])) needed |= permFor(before.get(i), after.get(i));
  // A copy that differs only in timestamps is still a change: the copy must equal its source.
  if (needed === 0 && req.op === 'copy' && !sameTimestamps(existing, next)) needed = Perm.MODIFY_VALUE;
  return { values: next, needed };
}

const sameTimestamps = (a: readonly HandleValue[], b: readonly HandleValue[]): boolean =>
  a.length === b.length && a.every((v, i) => v.timestamp === b[i]?.timestamp);

export const countAdmins = (values: readonly HandleValue[]): number => values.filter((v) => isAdminType(v.type)).length;
