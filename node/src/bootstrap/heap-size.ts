import { DEFAULT_CACHE_POLICY } from '../cache/cache-policy.ts';

/*
 * The V8 heap a node gets (start.ts), derived from its cache bound: what the node keeps besides
 * the cache (modules, compiled code, tables: about 60-80 MiB of heap at ready) plus room for the
 * cache and the garbage of the requests in flight. The semi-spaces (young generation) are capped
 * too: V8 picks 64 MiB each on a large host, which is RSS the node never needs.
 * Read before the configuration is loaded, so it reads the cache variables (and their flags)
 * leniently: anything unparsable is left for config/load.ts to report, with the default heap.
 */

/** Old space = BASE + FACTOR x the cache bound (MiB). */
export const HEAP_BASE_MB = 96;
export const HEAP_PER_CACHE_MB = 1.5;
export const SEMI_SPACE_MB = 16;

const DEFAULT_CACHE_MB = DEFAULT_CACHE_POLICY.maxBytes / 1024 / 1024;

/** The value of `--name v` or `--name=v` among the arguments, if given. */
function flagValue(argv: readonly string[], name: string): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === `--${name}`) return argv[i + 1];
    if (a.startsWith(`--${name}=`)) return a.slice(name.length + 3);
  }
  return undefined;
}

/** The cache bound in MiB the node will run with (0 with the cache off), or undefined if unreadable. */
export function cacheMb(env: NodeJS.ProcessEnv, argv: readonly string[]): number | undefined {
  const onOff = flagValue(argv, 'cache') ?? env.IDNODE_CACHE ?? 'on';
  if (onOff === 'off') return 0;
  const raw = flagValue(argv, 'cache-max-mb') ?? env.IDNODE_CACHE_MAX_MB;
  if (raw === undefined) return DEFAULT_CACHE_MB;
  const mb = Number(raw);
  return Number.isInteger(mb) && mb > 0 ? mb : undefined;
}

const HEAP_FLAG = /--max-old-space-size|--max-semi-space-size|--max-heap-size/;

/**
 * The V8 flags to add for a node with this environment, Node options and arguments: none when the
 * operator sized the heap (NODE_OPTIONS or a Node option) or the cache bound is unreadable.
 */
export function heapFlags(env: NodeJS.ProcessEnv, execArgv: readonly string[], argv: readonly string[]): string[] {
  if (HEAP_FLAG.test(env.NODE_OPTIONS ?? '') || execArgv.some((a) => HEAP_FLAG.test(a))) return [];
  const mb = cacheMb(env, argv);
  if (mb === undefined) return [];
  const oldSpace = Math.ceil(HEAP_BASE_MB + HEAP_PER_CACHE_MB * mb);
  return [`--max-old-space-size=${oldSpace}`, `--max-semi-space-size=${SEMI_SPACE_MB}`];
}
