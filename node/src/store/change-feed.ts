export type ChangeListener = (key: string) => void;

/**
 * Tells listeners (the resolution cache) which keys changed, whoever wrote them through this
 * process: the HTTP API, the registry, the sync receiver. Changes made by other processes
 * arrive through the backend's own channel (Redis pub/sub) and are fed in with `announce`.
 */
export class ChangeFeed {
  private readonly listeners = new Set<ChangeListener>();

  subscribe(listener: ChangeListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  announce(key: string): void {
    for (const l of this.listeners) l(key);
  }
}
