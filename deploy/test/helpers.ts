import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, parseAllDocuments } from 'yaml';
import { serverVariables } from '../../node/src/config/load.ts';

export const DEPLOY_DIR = join(dirname(fileURLToPath(import.meta.url)), '..');
export const REPO_DIR = join(DEPLOY_DIR, '..');

export function readDeployFile(path: string): string {
  return readFileSync(join(DEPLOY_DIR, path), 'utf8');
}

/** Every file under deploy/ (relative paths), tests excluded. */
export function deployFiles(dir = DEPLOY_DIR): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) {
      if (full !== join(DEPLOY_DIR, 'test')) out.push(...deployFiles(full));
    } else {
      out.push(relative(DEPLOY_DIR, full));
    }
  }
  return out.sort();
}

/** One YAML document (compose merge keys `<<:` resolved). */
export function loadYaml(path: string): unknown {
  return parse(readDeployFile(path), { merge: true, strict: true, prettyErrors: true });
}

/** Every document of a multi-document YAML file (Kubernetes manifests). */
export function loadYamlDocuments(path: string): unknown[] {
  return parseAllDocuments(readDeployFile(path), { merge: true, strict: true }).map((doc) => {
    if (doc.errors.length > 0) throw new Error(`${path}: ${doc.errors.map((e) => e.message).join('; ')}`);
    return doc.toJS() as unknown;
  });
}

/** Narrowing helper: a plain object, or a thrown error naming where it was expected. */
export function obj(value: unknown, where: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new Error(`${where}: expected a mapping, got ${JSON.stringify(value)}`);
  }
  return value as Record<string, unknown>;
}

export function arr(value: unknown, where: string): unknown[] {
  if (!Array.isArray(value)) throw new Error(`${where}: expected a list, got ${JSON.stringify(value)}`);
  return value as unknown[];
}

/** Metric names in a PromQL expression, histogram series suffixes stripped (`_bucket`, `_sum`, `_count`). */
export function metricNames(expr: string): string[] {
  const names = new Set<string>();
  for (const m of expr.matchAll(/\bidnode_[a-z0-9_]+/g)) {
    names.add(m[0].replace(/_(bucket|sum|count)$/, ''));
  }
  return [...names];
}

/**
 * Label names used in selectors of idnode metrics: `idnode_x{a="1", b=~"2"}` gives x -> {a, b}.
 * Only matchers inside braces directly after a metric name (enough for our dashboards and rules).
 */
export function selectorLabels(expr: string): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const m of expr.matchAll(/\b(idnode_[a-z0-9_]+)\{([^}]*)\}/g)) {
    const metric = (m[1] ?? '').replace(/_(bucket|sum|count)$/, '');
    const labels = out.get(metric) ?? new Set<string>();
    for (const l of (m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)/g)) labels.add(l[1] ?? '');
    out.set(metric, labels);
  }
  return out;
}

export interface CatalogueEntry {
  /** Exact name, or a prefix when the catalogue lists a wildcard (`idnode_process_*`). */
  readonly name: string;
  readonly wildcard: boolean;
  readonly labels: readonly string[];
}

/** The metric table of docs/metrics.md: first column names (in backticks), third column labels. */
export function parseCatalogue(markdown: string): CatalogueEntry[] {
  const entries: CatalogueEntry[] = [];
  for (const line of markdown.split('\n')) {
    if (!line.startsWith('| `idnode_')) continue;
    const cells = line.split('|').map((c) => c.trim());
    const [, first = '', , labelCell = ''] = cells;
    const labels = [...labelCell.matchAll(/`([a-z_]+)`/g)].map((m) => m[1] ?? '');
    for (const m of first.matchAll(/`(idnode_[a-z0-9_]+)(\*)?`/g)) {
      entries.push({ name: m[1] ?? '', wildcard: m[2] === '*', labels });
    }
  }
  return entries;
}

export function inCatalogue(catalogue: readonly CatalogueEntry[], name: string): CatalogueEntry | undefined {
  return catalogue.find((e) => (e.wildcard ? name.startsWith(e.name) : e.name === name));
}

/** Whether a command runs (exit 0) on this machine. */
export function commandWorks(cmd: string, args: readonly string[]): boolean {
  try {
    execFileSync(cmd, args, { stdio: 'ignore', timeout: 10_000 });
    return true;
  } catch {
    return false;
  }
}

export function run(cmd: string, args: readonly string[], cwd = REPO_DIR): string {
  return execFileSync(cmd, args, { cwd, encoding: 'utf8', timeout: 30_000, stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Environment variables the node understands: every variable of its configuration sections. */
export function knownEnvVars(): Set<string> {
  return new Set(serverVariables().map((v) => v.name));
}

export const ROLES = ['top-level', 'secondary', 'caching'] as const;
