/*
 * The node's entry (`npm start`, the benchmarks): sizes the V8 heap to the resolution cache, then
 * runs main.ts. Left alone, V8 sizes its heap to the machine (about 4 GiB of old space and 64 MiB
 * semi-spaces on a 24 GiB host) and lets garbage pile up to that before collecting it, so the
 * process grows to several times what the cache holds. Sized here, the heap is collected near what
 * the node really keeps. V8 takes its heap size only at start, so when no heap flag was given this
 * process replaces itself (execve: same PID, same stdio) with one that has them, before loading
 * anything else: the cost is one bare Node start. Deliberately tiny and dependency-free. Both
 * processes use Node's compile cache, so a start after the first one compiles almost nothing.
 */
import { fileURLToPath } from 'node:url';
import { enableModuleCache, flushModuleCache } from './bootstrap/compile-cache.ts';
import { heapFlags } from './bootstrap/heap-size.ts';

// Before main.ts and its imports load: they are then read compiled from the cache (bootstrap/compile-cache.ts).
enableModuleCache(process.env);

const flags = heapFlags(process.env, process.execArgv, process.argv.slice(2));

if (flags.length > 0 && typeof process.execve === 'function') {
  // This file again: it finds the flags, loads main.ts and flushes the compile cache once ready.
  const self = fileURLToPath(import.meta.url);
  process.execve(process.execPath, [process.execPath, ...process.execArgv, ...flags, self, ...process.argv.slice(2)]);
}
await import('./main.ts');
// main.ts resolves once the node listens: every module it loads is compiled by now.
flushModuleCache();
