import { redactSecrets } from '../records/redact.ts';
import type { HandleValue } from '../records/types.ts';
import type { ChangeEntry, ReadonlyStore } from '../store/store.ts';

/**
 * One identifier's life as the change log tells it (admin only: GET /api/handles/{id}?history=true):
 * every create, update and delete with who, when, why and the version, across deletions and
 * re-creations of the name. Values are shown as stored, secrets redacted.
 */
export interface HistoryItem {
  readonly seq: number;
  /** 'create' also for a re-creation over a tombstone (the name was free again). */
  readonly op: 'create' | 'update' | 'delete';
  readonly version: number;
  readonly previousVersion: number;
  readonly at: string;
  readonly actor: string;
  readonly reason?: string;
  /** The values of this version; none for a delete. */
  readonly values: readonly HandleValue[];
}

export interface HistoryView {
  readonly items: readonly HistoryItem[];
  /** `before` for the next (older) page. */
  readonly next?: number;
}

export const MAX_HISTORY_PAGE = 100;

/** A put is a creation when nothing came before it, or a deletion did (the entry names neither). */
function opOf(e: ChangeEntry, older: ChangeEntry | undefined): HistoryItem['op'] {
  if (e.op === 'delete') return 'delete';
  return e.previousVersion === 0 || older?.op === 'delete' ? 'create' : 'update';
}

function itemOf(e: ChangeEntry, older: ChangeEntry | undefined): HistoryItem {
  return {
    seq: e.seq,
    op: opOf(e, older),
    version: e.version,
    previousVersion: e.previousVersion,
    at: e.at,
    actor: e.actor,
    ...(e.reason === undefined ? {} : { reason: e.reason }),
    values: redactSecrets(e.record.values),
  };
}

/** A page of `key`'s history, newest first. One entry more is read so the oldest shown knows its op. */
export async function readHistory(
  store: Pick<ReadonlyStore, 'historyOf'>,
  key: string,
  page: { readonly before?: number; readonly limit: number },
): Promise<HistoryView> {
  const got = await store.historyOf(key, { ...page, limit: page.limit + 1 });
  const shown = got.entries.slice(0, page.limit);
  const items = shown.map((e, i) => itemOf(e, got.entries[i + 1]));
  const last = shown.at(-1);
  return got.entries.length > page.limit && last !== undefined ? { items, next: last.seq } : { items };
}

/** The values of the newest live version (the admins of a deleted identifier are its last ones). */
export async function lastLiveValues(
  store: Pick<ReadonlyStore, 'historyOf'>,
  key: string,
): Promise<readonly HandleValue[] | undefined> {
  const { entries } = await store.historyOf(key, { limit: 2 });
  return entries.find((e) => e.op === 'put')?.record.values;
}
