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
  /** The names imported (`Store`, `ReadonlyStore`); `*` for a namespace import or a re-export of all. */
  readonly names: readonly string[];
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

type Alias = (specifier: string) => string | undefined;

/** `"imports"` of the root package.json (`#core/errors/*` -> `./node/src/errors/*.ts`, or exact keys), as Node maps them. */
function subpathImports(root: string): Alias {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { imports?: Record<string, unknown> };
  const entries = Object.entries(pkg.imports ?? {}).filter((e): e is [string, string] => typeof e[1] === 'string');
  return (specifier) => {
    for (const [key, target] of entries) {
      const star = key.indexOf('*');
      if (star < 0 && key === specifier) return target;
      if (star >= 0 && specifier.startsWith(key.slice(0, star)) && specifier.endsWith(key.slice(star + 1))) {
        const middle = specifier.slice(star, specifier.length - (key.length - star - 1));
        return target.replace('*', middle);
      }
    }
    return undefined;
  };
}

/** Every static `import`, `export ... from` and `import()` with a string specifier, and whether it is type-only. */
interface RawImport {
  readonly specifier: string;
  readonly typeOnly: boolean;
  readonly names: readonly string[];
}

function importedNames(clause: ts.ImportClause | undefined): string[] {
  if (clause === undefined) return [];
  const names = clause.name ? ['default'] : [];
  const bindings = clause.namedBindings;
  if (bindings && ts.isNamespaceImport(bindings)) names.push('*');
  if (bindings && ts.isNamedImports(bindings)) {
    for (const e of bindings.elements) names.push((e.propertyName ?? e.name).text);
  }
  return names;
}

function exportedNames(node: ts.ExportDeclaration): string[] {
  const clause = node.exportClause;
  if (clause === undefined || ts.isNamespaceExport(clause)) return ['*'];
  return clause.elements.map((e) => (e.propertyName ?? e.name).text);
}

function importsOf(file: string, text: string): RawImport[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.ES2024, false, ts.ScriptKind.TS);
  const found: RawImport[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      const typeOnly = node.importClause?.isTypeOnly === true;
      found.push({ specifier: node.moduleSpecifier.text, typeOnly, names: importedNames(node.importClause) });
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      found.push({ specifier: node.moduleSpecifier.text, typeOnly: node.isTypeOnly, names: exportedNames(node) });
    } else if (
      ts.isCallExpression(node) &&
      node.expression.kind === ts.SyntaxKind.ImportKeyword &&
      node.arguments[0] &&
      ts.isStringLiteral(node.arguments[0])
    ) {
      found.push({ specifier: node.arguments[0].text, typeOnly: false, names: ['*'] });
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
      for (const { specifier, typeOnly, names } of importsOf(abs, readFileSync(abs, 'utf8'))) {
        const aliased = specifier.startsWith('#') ? aliases(specifier) : undefined;
        const target = specifier.startsWith('.') ? resolve(dirname(abs), specifier) : aliased && resolve(root, aliased);
        if (target !== undefined) edges.push({ from, to: toPosix(relative(root, target)), specifier, typeOnly, names });
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
