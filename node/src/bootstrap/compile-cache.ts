import { constants, enableCompileCache, flushCompileCache } from 'node:module';

/*
 * Node's on-disk compile cache (node:module enableCompileCache): the V8 code of every module and
 * the JavaScript that type stripping makes of every .ts file, kept between starts. Without it each
 * start strips and compiles the node's few thousand modules again, which is most of the CPU before
 * the node is ready. The directory is Node's own choice (NODE_COMPILE_CACHE, else
 * <tmpdir>/node-compile-cache); NODE_DISABLE_COMPILE_CACHE=1 turns it off. A stale or damaged
 * entry is checked by Node and compiled again, so the cache never changes what runs.
 */

/** Enables the cache and names its directory in the environment, so the re-exec and cluster workers use it too. */
export function enableModuleCache(env: NodeJS.ProcessEnv): void {
  if (typeof enableCompileCache !== 'function') return;
  const { status, directory } = enableCompileCache();
  const on = status === constants.compileCacheStatus.ENABLED || status === constants.compileCacheStatus.ALREADY_ENABLED;
  if (on && directory !== undefined) env.NODE_COMPILE_CACHE ??= directory;
}

/** Writes what this start compiled now, not at exit: a node stopped by SIGKILL keeps it too. */
export function flushModuleCache(): void {
  if (typeof flushCompileCache === 'function') flushCompileCache();
}
