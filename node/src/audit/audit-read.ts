import type { Reader } from '../access/reader.ts';
import type { HandleValue, StoredRecord } from '../records/types.ts';
import type { AuditLog, AuditedValue, ReadAudit } from './audit-log.ts';

/** Where a disclosure happened and what answered; all optional. */
export interface ReadContext {
  /** 'api' (JSON API), 'qr' (QR / proxy route), 'linkset', ...; 'api' when absent. */
  readonly route?: string;
  /** The identifier asked for, when the answering record is another one (template, walk-up). */
  readonly identifier?: string;
  /** 'template' | 'batch' | 'model' | 'enterprise' (the outcome's `resolvedVia`). */
  readonly resolvedVia?: string;
  /** The handle of the record that answered, for derived answers. */
  readonly answeredBy?: string;
}

/**
 * Writes an audit line when a reader was shown at least one non-public value or link, and
 * returns it. The ResolutionService calls it once per answer with the values shown. A public
 * reader returns at the first check, so the anonymous path pays one comparison.
 */
export function auditRead(
  ctx: { readonly audit: AuditLog },
  reader: Reader,
  record: StoredRecord,
  shownValues: readonly HandleValue[],
  info: ReadContext = {},
): ReadAudit | undefined {
  if (reader.tier === 'public') return undefined;
  let restricted: AuditedValue[] | undefined;
  for (const v of shownValues) {
    if (v.access === 'public') continue;
    (restricted ??= []).push({ index: v.index, type: v.type, access: v.access });
  }
  if (restricted === undefined) return undefined;
  const entry: ReadAudit = {
    identifier: info.identifier ?? record.handle,
    ...(info.answeredBy === undefined ? {} : { answeredBy: info.answeredBy }),
    ...(info.resolvedVia === undefined ? {} : { resolvedVia: info.resolvedVia }),
    via: reader.via,
    tier: reader.tier,
    ...(reader.subject === undefined ? {} : { subject: reader.subject }),
    ...(reader.purpose === undefined ? {} : { purpose: reader.purpose }),
    ...(reader.issuer === undefined ? {} : { issuer: reader.issuer }),
    route: info.route ?? 'api',
    values: restricted,
  };
  ctx.audit.read(entry);
  return entry;
}
