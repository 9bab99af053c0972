import type { ChangeFeed } from '../store/change-feed.ts';
import type { ChangeEntry, ReadonlyStore } from '../store/store.ts';
import type { AuditLog } from './audit-log.ts';

const PAGE = 500;

function toAudit(e: ChangeEntry): Parameters<AuditLog['change']>[0] {
  return {
    seq: e.seq,
    op: e.op,
    identifier: e.record.handle,
    actor: e.actor,
    ...(e.reason === undefined ? {} : { reason: e.reason }),
    previousVersion: e.previousVersion,
    version: e.version,
    at: e.at,
    values: e.record.values.map((v) => ({ index: v.index, type: v.type, access: v.access })),
  };
}

export interface ChangeAuditor {
  /** Resolves when every change announced so far is in the audit (tests, shutdown). */
  idle(): Promise<void>;
  stop(): void;
}

/**
 * The change audit follows the store's durable change log, woken by the change feed: one audit
 * line per log entry (so completeness is checkable by count), with the actor and the version
 * before and after, whichever path wrote it (HTTP API, registry, sync receiver).
 */
export function auditChanges(store: ReadonlyStore, feed: ChangeFeed, audit: AuditLog): ChangeAuditor {
  // Changes from before this process started were audited by the process that made them.
  const start = store.lastSeq();
  let cursor = -1;
  let running: Promise<void> = start.then((s) => {
    cursor = s;
  });
  let queued = false;

  const drain = async (): Promise<void> => {
    for (;;) {
      const page = await store.changesSince(cursor, PAGE);
      for (const e of page) audit.change(toAudit(e));
      if (page.length > 0) cursor = page[page.length - 1]!.seq;
      if (page.length < PAGE) return;
    }
  };

  // Announcements arriving during a drain coalesce into one more drain afterwards.
  const wake = (): void => {
    if (queued) return;
    queued = true;
    running = running
      .then(() => {
        queued = false;
        return drain();
      })
      .catch(() => undefined);
  };

  const unsubscribe = feed.subscribe(wake);
  return { idle: () => running, stop: unsubscribe };
}
