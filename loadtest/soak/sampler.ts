import { readdir } from 'node:fs/promises';
import { cpuSecondsOf, statusMiB } from '../workers/proc-stat.ts';

/**
 * One sample of a node process we started: what /proc says (RSS, open file descriptors, CPU) and
 * what its own /metrics says (V8 heap used, active timers and handles from
 * process.getActiveResourcesInfo(), which prom-client exposes as idnode_nodejs_active_resources;
 * the sizes of the bounded structures: the cache, the store's recent change-log tail).
 */

export interface ProcessSample {
  readonly t_s: number;
  readonly rss_mib: number;
  /** RSS split (/proc status): anonymous memory (heap, buffers) and file pages (LMDB's map, code). */
  readonly rss_anon_mib: number;
  readonly rss_file_mib: number;
  readonly heap_used_mib: number;
  /** V8's committed heap (idnode_nodejs_heap_size_total_bytes): what the heap holds of RSS, live or not. */
  readonly heap_total_mib: number;
  readonly fds: number;
  readonly timers: number;
  readonly handles: number;
  readonly cpu_s: number;
  /** The resolution cache (idnode_cache_entries, idnode_cache_size_bytes): growth here is the cache filling to its bound. */
  readonly cache_entries: number;
  readonly cache_mib: number;
  /** Lookups the cache has answered: 0 on a node that never consults it (the secondary reads its homed prefix from its store). */
  readonly cache_lookups: number;
  /** The store's in-memory change-log tail (idnode_store_recent_log_entries), bounded by RECENT_LOG_CAPACITY. */
  readonly recent_log_entries: number;
}

export interface Watched {
  readonly name: string;
  readonly pid: number;
  readonly url: string;
}

const mib = (bytes: number): number => Math.round((bytes / 1024 / 1024) * 100) / 100;

/** Sum of every series of one metric in Prometheus text (labels filtered by `labelMatch`). */
export function metricSum(text: string, name: string, labelMatch = ''): number {
  let sum = 0;
  let seen = false;
  for (const line of text.split('\n')) {
    if (!line.startsWith(name) || (line[name.length] !== ' ' && line[name.length] !== '{')) continue;
    if (labelMatch !== '' && !line.includes(labelMatch)) continue;
    const value = Number(line.slice(line.lastIndexOf(' ') + 1));
    if (Number.isFinite(value)) {
      sum += value;
      seen = true;
    }
  }
  return seen ? sum : NaN;
}

async function fdCount(pid: number): Promise<number> {
  return (await readdir(`/proc/${pid}/fd`).catch(() => [])).length;
}

export async function sampleProcess(p: Watched, t0: number): Promise<ProcessSample> {
  const metrics = await fetch(`${p.url}/metrics`)
    .then((r) => r.text())
    .catch(() => '');
  const resources = (type: string): number => metricSum(metrics, 'idnode_nodejs_active_resources', `type="${type}"`);
  return {
    t_s: Math.round((performance.now() - t0) / 100) / 10,
    rss_mib: Math.round((await statusMiB(p.pid, 'VmRSS')) * 100) / 100,
    rss_anon_mib: Math.round((await statusMiB(p.pid, 'RssAnon')) * 100) / 100,
    rss_file_mib: Math.round((await statusMiB(p.pid, 'RssFile')) * 100) / 100,
    heap_used_mib: mib(metricSum(metrics, 'idnode_nodejs_heap_size_used_bytes')),
    heap_total_mib: mib(metricSum(metrics, 'idnode_nodejs_heap_size_total_bytes')),
    fds: await fdCount(p.pid),
    timers: resources('Timeout'),
    handles: metricSum(metrics, 'idnode_nodejs_active_handles_total'),
    cpu_s: await cpuSecondsOf(p.pid),
    cache_entries: metricSum(metrics, 'idnode_cache_entries'),
    cache_mib: mib(metricSum(metrics, 'idnode_cache_size_bytes')),
    cache_lookups: metricSum(metrics, 'idnode_cache_lookups_total'),
    recent_log_entries: metricSum(metrics, 'idnode_store_recent_log_entries'),
  };
}
