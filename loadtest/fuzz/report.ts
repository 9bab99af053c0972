import type { MachineInfo } from '../lib/machine.ts';
import type { AfterCheck } from './after.ts';
import type { Problem, RouteCount } from './tally.ts';

/** The markdown of a fuzz report (the JSON beside it has every sample). */

export interface FuzzReport {
  readonly machine: MachineInfo;
  readonly startedAt: string;
  readonly command: string;
  readonly seed: number;
  readonly requests: number;
  readonly seconds: number;
  readonly requests_per_s: number;
  readonly server_cores: number;
  readonly server_cpu_us_per_request: number;
  readonly status_5xx: number;
  readonly transport_errors: number;
  readonly crashed: boolean;
  readonly handle_packets: { readonly udp: number; readonly tcp: number };
  readonly memory: { readonly warm: number; readonly end: number; readonly pass: boolean };
  readonly untested_routes: readonly string[];
  readonly after: readonly AfterCheck[];
  readonly pass: boolean;
  readonly routes: Readonly<Record<string, RouteCount>>;
  readonly problems: Readonly<Record<string, Problem>>;
}

export function fuzzMarkdown(r: FuzzReport): string {
  const problems = Object.entries(r.problems).sort((a, b) => b[1].count - a[1].count);
  return [
    `# Fuzz ${r.startedAt}: ${r.pass ? 'PASS' : 'FAIL'}`,
    '',
    `\`${r.command}\` (seed ${r.seed}); ${r.machine.cpus} cores, load average at start ${r.machine.loadAvg.join(' ')}.`,
    '',
    `- ${r.requests} requests in ${r.seconds} s (${r.requests_per_s}/s); server CPU ${r.server_cores} cores, ${r.server_cpu_us_per_request} µs/request`,
    `- 5xx: ${r.status_5xx}; crashed: ${r.crashed}; transport errors (node closed a socket on bytes it refused): ${r.transport_errors}`,
    `- Handle port: ${r.handle_packets.udp} UDP datagrams, ${r.handle_packets.tcp} TCP messages`,
    `- anonymous RSS after warm-up ${r.memory.warm} MiB, at the end ${r.memory.end} MiB (${r.memory.pass ? 'bounded' : 'GROWING'})`,
    `- routes never sent: ${r.untested_routes.length === 0 ? 'none' : r.untested_routes.join(', ')}`,
    ...r.after.map((a) => `- after: ${a.name}: ${a.pass ? 'ok' : 'FAIL'} (${a.detail})`),
    '',
    '## Problems',
    '',
    ...(problems.length === 0
      ? ['none']
      : problems.map(([k, p]) => `- ${p.count}x ${k}\n  - \`${p.example.replace(/`/g, "'")}\``)),
    '',
    '## Routes',
    '',
    '| route | sent | 2xx | 3xx | 4xx | 5xx |',
    '| --- | --- | --- | --- | --- | --- |',
    ...Object.entries(r.routes)
      .sort()
      .map(([k, c]) => `| \`${k}\` | ${c.sent} | ${c.s2xx} | ${c.s3xx} | ${c.s4xx} | ${c.s5xx} |`),
    '',
  ].join('\n');
}
