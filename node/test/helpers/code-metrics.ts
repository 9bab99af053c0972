import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? tsFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

/**
 * The metric names defined in node/src: the `idnode_*` strings of the files that use prom-client.
 * Metrics of the other roles (federation, sync) are registered only there, so a single test node's
 * registry does not show them.
 */
export function metricsDefinedInCode(root: string): Set<string> {
  return new Set(
    tsFiles(join(root, 'node/src'))
      .map((f) => readFileSync(f, 'utf8'))
      .filter((text) => text.includes("from 'prom-client'"))
      .flatMap((text) => [...text.matchAll(/['`](idnode_[a-z0-9_]+)['`]/g)].map((m) => m[1] ?? '')),
  );
}
