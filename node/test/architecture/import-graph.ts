import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import ts from 'typescript';

/** One import edge between two files of the repository, paths relative to the root, '/'-separated. */
export interface ImportEdge {
  readonly from: string;
  readonly to: string;
  /** The specifier as written (`../store/store.ts`, `#core/errors/idn-error.ts`). */
  readonly specifier: string;
  /** `import type` / `export type`: erased at run time, still a dependency of the design. */
  readonly typeOnly: boolean;
}

export type ImportGraph = ReadonlyMap<string, readonly ImportEdge[]>;

const toPosix = (p: string): string => p.split(sep).join('/');

function listTsFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...listTsFiles(path));
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) out.push(path);
  }
  return out;
}

/** `"imports"` of the root package.json: `#core/*` -> `./node/src/*` (only the one-star form). */
function subpathImports(root: string): ReadonlyMap<string, string> {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { imports?: Record<string, unknown> };
  const map = new Map<string, string>();
  for (const [key, target] of Object.entries(pkg.imports ?? {})) {
    if (typeof target === 'string' && key.endsWith('/*') && target.endsWith('/*')) {
      map.set(key.slice(0, -1), target.slice(0, -1));
    }
  }
  return map;
}

/** Every static `import`, `export ... from` and `import()` with a string specifier, and whether it is type-only. */
function importsOf(file: string, text: string): { specifier: string; typeOnly: boolean }[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.ES2024, false, ts.ScriptKind.TS);
  const found: { specifier: string; typeOnly: boolean }[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      found.push({ specifier: node.moduleSpecifier.text, typeOnly: node.importClause?.isTypeOnly === true });
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      found.push({ specifier: node.moduleSpecifier.text, typeOnly: node.isTypeOnly });
    } else if (
      ts.isCallExpression(node) &&
      node.expression.kind === ts.SyntaxKind.ImportKeyword &&
      node.arguments[0] &&
      ts.isStringLiteral(node.arguments[0])
    ) {
      found.push({ specifier: node.arguments[0].text, typeOnly: false });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/**
 * The import graph of the TypeScript files under `dirs` (relative to `root`): only edges to files of the
 * repository (relative specifiers and package.json subpath imports); packages are left out.
 */
export function buildImportGraph(root: string, dirs: readonly string[]): ImportGraph {
  const aliases = subpathImports(root);
  const graph = new Map<string, ImportEdge[]>();
  for (const dir of dirs) {
    for (const abs of listTsFiles(resolve(root, dir))) {
      const from = toPosix(relative(root, abs));
      const edges: ImportEdge[] = [];
      for (const { specifier, typeOnly } of importsOf(abs, readFileSync(abs, 'utf8'))) {
        let target: string | undefined;
        if (specifier.startsWith('.')) target = resolve(dirname(abs), specifier);
        for (const [alias, dest] of aliases) {
          if (specifier.startsWith(alias)) target = resolve(root, dest + specifier.slice(alias.length));
        }
        if (target !== undefined) edges.push({ from, to: toPosix(relative(root, target)), specifier, typeOnly });
      }
      graph.set(from, edges);
    }
  }
  return graph;
}

/** Every elementary cycle is too many to list; one cycle per strongly connected component names the problem. */
export function findCycles(graph: ImportGraph): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const components: string[][] = [];
  let next = 0;
  const connect = (v: string): void => {
    index.set(v, next);
    low.set(v, next);
    next += 1;
    stack.push(v);
    onStack.add(v);
    for (const { to } of graph.get(v) ?? []) {
      if (!graph.has(to)) continue;
      if (!index.has(to)) {
        connect(to);
        low.set(v, Math.min(low.get(v) ?? 0, low.get(to) ?? 0));
      } else if (onStack.has(to)) {
        low.set(v, Math.min(low.get(v) ?? 0, index.get(to) ?? 0));
      }
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string | undefined;
      do {
        w = stack.pop();
        if (w === undefined) break;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      const selfLoop = (graph.get(v) ?? []).some((e) => e.to === v);
      if (component.length > 1 || selfLoop) components.push(component);
    }
  };
  for (const v of [...graph.keys()].sort()) if (!index.has(v)) connect(v);
  return components.map((c) => cycleThrough(graph, new Set(c), [...c].sort()[0] ?? ''));
}

/** A shortest path from `start` back to itself inside one component, for a readable message. */
function cycleThrough(graph: ImportGraph, members: ReadonlySet<string>, start: string): string[] {
  const previous = new Map<string, string>();
  const queue = [start];
  for (let i = 0; i < queue.length; i += 1) {
    const v = queue[i] ?? '';
    for (const { to } of graph.get(v) ?? []) {
      if (!members.has(to)) continue;
      if (to === start) {
        const path = [v];
        while (path[0] !== start) path.unshift(previous.get(path[0] ?? '') ?? start);
        return [...path, start];
      }
      if (!previous.has(to)) {
        previous.set(to, v);
        queue.push(to);
      }
    }
  }
  return [start, start];
}
