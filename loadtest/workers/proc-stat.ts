import { readFile } from 'node:fs/promises';

/** CPU and memory of server processes we started, read from /proc (Linux). */

const TICKS_PER_SECOND = 100; // USER_HZ on Linux

/** utime + stime of one process (all its threads), in seconds; 0 once it is gone. */
export async function cpuSecondsOf(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
  // Fields after the command (which may contain spaces) start after the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11] ?? 0) + Number(fields[12] ?? 0)) / TICKS_PER_SECOND;
}

/** The direct children of a process (a cluster primary's workers). */
export async function childrenOf(pid: number): Promise<number[]> {
  const text = await readFile(`/proc/${pid}/task/${pid}/children`, 'utf8').catch(() => '');
  return text.trim().split(/\s+/).filter(Boolean).map(Number);
}

/** CPU seconds of a process and all its children, summed. */
export async function treeCpuSeconds(pid: number): Promise<number> {
  const pids = [pid, ...(await childrenOf(pid))];
  const each = await Promise.all(pids.map(cpuSecondsOf));
  return each.reduce((a, b) => a + b, 0);
}

/** A field of /proc/<pid>/status in MiB (RssAnon, VmRSS, VmHWM ...). */
export async function statusMiB(pid: number, field: string): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1];
  return kb === undefined ? NaN : Number(kb) / 1024;
}
