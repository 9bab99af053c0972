import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/**
 * CPU time from /proc, in microseconds. A process's /proc/<pid>/stat utime+stime counts every
 * thread of it (main thread, libuv pool, GC and compiler threads), which is the cost a request
 * really has; the harness's own cutime+cstime grow by a child's whole CPU when it is reaped,
 * which is how the generator's CPU is read (wrk and h2load are short-lived children).
 */

let tickUs: number | undefined;

function microsPerTick(): number {
  if (tickUs === undefined) {
    let hz = 100;
    try {
      hz = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      // getconf missing: Linux's USER_HZ is 100 everywhere we run.
    }
    tickUs = 1_000_000 / hz;
  }
  return tickUs;
}

/** Fields after the command name (which may hold spaces and parentheses). */
function statFields(pid: number | 'self'): string[] {
  const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return text.slice(text.lastIndexOf(')') + 2).split(' ');
}

/** utime + stime of every thread of `pid`, in µs. */
export function processCpuUs(pid: number): number {
  const f = statFields(pid);
  // After the name: state(0) ppid(1) ... utime is field 14 of stat, i.e. index 11 here.
  return (Number(f[11]) + Number(f[12])) * microsPerTick();
}

/** cutime + cstime of this process: the CPU of the children it has waited for, in µs. */
export function reapedChildrenCpuUs(): number {
  const f = statFields('self');
  return (Number(f[13]) + Number(f[14])) * microsPerTick();
}
