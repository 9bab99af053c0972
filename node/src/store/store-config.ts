import { Type, type Static } from 'typebox';
import { Value } from 'typebox/value';

/**
 * Which store backs the node: the embedded LMDB store by default, or Redis (one server or a
 * Cluster) when several instances share one truth. Raw environment -> validated -> normalised.
 */

const RawStoreConfig = Type.Object({
  IDNODE_REDIS_URL: Type.Optional(Type.String({ pattern: '^rediss?://[^\\s]+$' })),
  IDNODE_REDIS_CLUSTER: Type.Optional(
    Type.String({ pattern: '^[A-Za-z0-9.-]+:[0-9]{1,5}(,[A-Za-z0-9.-]+:[0-9]{1,5})*$' }),
  ),
  IDNODE_REDIS_NAMESPACE: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9._-]{1,64}$' })),
  IDNODE_REDIS_WAIT_REPLICAS: Type.Optional(Type.String({ pattern: '^[0-9]$' })),
  IDNODE_REDIS_TIMEOUT_MS: Type.Optional(Type.String({ pattern: '^[1-9][0-9]{1,5}$' })),
});

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

/** Returns the normalised store config, or the list of problems (the caller makes them fatal). */
export function storeConfigFrom(env: NodeJS.ProcessEnv): StoreConfig | { readonly problems: readonly string[] } {
  const raw = Object.fromEntries(Object.keys(RawStoreConfig.properties).flatMap((k) => (env[k] ? [[k, env[k]]] : [])));
  if (!Value.Check(RawStoreConfig, raw)) {
    return { problems: [...Value.Errors(RawStoreConfig, raw)].map((e) => `${e.instancePath.slice(1)}: ${e.message}`) };
  }
  const v: Static<typeof RawStoreConfig> = raw;
  if (v.IDNODE_REDIS_URL && v.IDNODE_REDIS_CLUSTER) {
    return { problems: ['IDNODE_REDIS_URL and IDNODE_REDIS_CLUSTER: set one, not both'] };
  }
  if (!v.IDNODE_REDIS_URL && !v.IDNODE_REDIS_CLUSTER) return { kind: 'lmdb' };
  const common = {
    kind: 'redis' as const,
    namespace: v.IDNODE_REDIS_NAMESPACE ?? 'idn',
    waitReplicas: Number(v.IDNODE_REDIS_WAIT_REPLICAS ?? 0),
    commandTimeoutMs: Number(v.IDNODE_REDIS_TIMEOUT_MS ?? 1000),
  };
  if (v.IDNODE_REDIS_URL) return { ...common, url: v.IDNODE_REDIS_URL };
  const nodes = (v.IDNODE_REDIS_CLUSTER ?? '').split(',').map((hp) => {
    const i = hp.lastIndexOf(':');
    return { host: hp.slice(0, i), port: Number(hp.slice(i + 1)) };
  });
  return { ...common, nodes };
}
