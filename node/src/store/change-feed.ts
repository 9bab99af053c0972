export type KeyListener = (key: string) => void;

/** A holder of state derived from stored records (the resolution cache, the template index). */
export interface ChangeListener {
  /** One key changed: committed through this process, or announced by another instance. */
  changed(key: string): void;
  /** Changes may have been missed (a lost pub/sub subscription, a reconnect): drop what cannot be proven fresh. */
  gap(): void;
}

/**
 * The one change feed of a node: which keys changed, whoever wrote them through this process
 * (the HTTP API, the registry, the sync receiver), and, fed in by the store's `attach`
 * (open-store.ts), what other processes changed (Redis pub/sub) and when such news may have
 * been lost (`gap`). Listeners are called synchronously, so a write acknowledged after
 * `announce` returned is never answered from a stale cache entry.
 */
export class ChangeFeed {
  private readonly listeners = new Set<ChangeListener>();

  /** Keys only (audit, sync sender: they read the durable change log and need no gap). */
  subscribe(onKey: KeyListener): () => void {
    return this.listen({ changed: onKey, gap: () => undefined });
  }

  listen(listener: ChangeListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  announce(key: string): void {
    this.each((l) => l.changed(key));
  }

  gap(): void {
    this.each((l) => l.gap());
  }

  /** Every listener hears every event, even when one throws; the first error is rethrown afterwards. */
  private each(call: (l: ChangeListener) => void): void {
    let failure: { error: unknown } | undefined;
    for (const l of this.listeners) {
      try {
        call(l);
      } catch (error) {
        failure ??= { error };
      }
    }
    if (failure) throw failure.error;
  }
}
