/**
 * Which store backs the node: the embedded LMDB store, or Redis (one server or a Cluster) when
 * several instances share one truth. Read from IDNODE_* by the store section (./config.ts).
 */
export type StoreConfig =
  | { readonly kind: 'lmdb' }
  | {
      readonly kind: 'redis';
      readonly url?: string;
      readonly nodes?: readonly { readonly host: string; readonly port: number }[];
      readonly namespace: string;
      readonly waitReplicas: number;
      readonly commandTimeoutMs: number;
    };
