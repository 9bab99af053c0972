import { once } from 'node:events';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Worker } from 'node:worker_threads';
import { startTestNode } from '../node/test/helpers/test-node.ts';
import { machineInfo } from './lib/machine.ts';
import { makeTempDir, removeDir } from './lib/processes.ts';
import { checkAfter } from './fuzz/after.ts';
import type { HttpWorkerData } from './fuzz/http-worker.ts';
import { alive, memoryBounded, sample, type FuzzSample } from './fuzz/memory.ts';
import { fastifyRoutes, openApiRoutes, unite, type Route } from './fuzz/routes.ts';
import { merge, type Tally } from './fuzz/tally.ts';
import { startFuzzTarget } from './fuzz/target.ts';
import { fuzzMarkdown } from './fuzz/report.ts';

/**
 * npm run fuzz   >= 10^6 generated requests over real HTTP at a real node process (node/src/main.ts),
 * across every route of its route table (fuzz/routes.ts) and every write path, authenticated and
 * not, from --workers threads of --concurrency keep-alive connections each; meanwhile raw bytes
 * at its native Handle port (TCP and UDP). Fails (exit 1) on any 5xx, a crash, an untyped error,
 * a leaked secret, unbounded memory, or a wrong answer afterwards. Reports requests/s and the
 * server's CPU from /proc/<pid>/stat; loadtest/results/fuzz-<start>.{json,md}.
 * --requests n (1000000) --workers n (2) --concurrency n (24) --seed n (random) --out dir
 * --max-minutes m: stop the threads after m minutes and report what was sent (a run that did not
 * reach --requests fails).
 */

const { values } = parseArgs({
  options: {
    requests: { type: 'string', default: '1000000' },
    workers: { type: 'string', default: '2' },
    concurrency: { type: 'string', default: '24' },
    seed: { type: 'string', default: String(Math.floor(Math.random() * 2 ** 31)) },
    'max-minutes': { type: 'string' },
    out: { type: 'string', default: join(import.meta.dirname, 'results') },
  },
});
const total = Number(values.requests);
const workers = Number(values.workers);
const seed = Number(values.seed);
const log = (line: string): void => void process.stderr.write(line + '\n');

/** The in-process route table: a node built the same way (buildServer), listening on nothing anyone uses. */
async function fastifyTable(): Promise<Route[]> {
  const n = await startTestNode(['88.100.5', '88.100.6']);
  try {
    return fastifyRoutes(n.app);
  } finally {
    await n.close();
  }
}

const startedAt = new Date().toISOString();
const dir = await makeTempDir();
const target = await startFuzzTarget(join(dir, 'data'));
let pass: boolean | undefined;
try {
  const doc = (await (await fetch(`${target.node.url}/docs/json`)).json()) as Parameters<typeof openApiRoutes>[0];
  const routes = unite(openApiRoutes(doc), await fastifyTable());
  log(`${routes.length} routes (method x template); seed ${seed}; ${total} requests, ${workers} threads`);

  const handle = new Worker(new URL('./fuzz/handle-worker.ts', import.meta.url), {
    workerData: { port: target.handlePort, seed },
  });
  let packets = { udp: 0, tcp: 0 };
  handle.on('message', (c: typeof packets) => void (packets = c));
  const tallies: Tally[] = [];
  const threads = Array.from({ length: workers }, (_, i) => {
    const data: HttpWorkerData = {
      base: target.node.url,
      routes,
      known: target.known,
      auths: target.auths,
      cookieHeaders: target.cookieHeaders,
      secret: target.secret,
      total: Math.ceil(total / workers),
      concurrency: Number(values.concurrency),
      seed: seed + i * 1_000_003,
    };
    const w = new Worker(new URL('./fuzz/http-worker.ts', import.meta.url), { workerData: data });
    w.on('message', (t: Tally) => void (tallies[i] = t));
    return w;
  });
  const done = Promise.all(threads.map((w) => once(w, 'exit')));
  let finished = false;
  void done.then(() => (finished = true));

  const t0 = performance.now();
  const samples: FuzzSample[] = [];
  let crashed = false;
  const stopAt = values['max-minutes'] === undefined ? Infinity : t0 + Number(values['max-minutes']) * 60_000;
  while (!finished) {
    if (performance.now() > stopAt) {
      log('--max-minutes reached: stopping the threads');
      for (const w of threads) await w.terminate();
      break;
    }
    await Promise.race([done, new Promise((r) => setTimeout(r, 5_000))]);
    const t = merge(tallies.filter(Boolean));
    if (!(await alive(target.node.pid))) {
      crashed = true;
      log(`the node died:\n${target.node.output().slice(-3000)}`);
      for (const w of threads) await w.terminate();
      break;
    }
    const s = await sample(target.node.pid, t0, t.sent);
    samples.push(s);
    const rate = Math.round(s.requests / s.t_s);
    log(
      `${s.t_s}s ${t.sent} req (${rate}/s) 5xx ${t.status5xx} problems ${Object.keys(t.problems).length} ` +
        `transport ${t.transportErrors} | rss ${s.rss_mib} anon ${s.rss_anon_mib} MiB cpu ${s.cpu_s}s | handle udp ${packets.udp} tcp ${packets.tcp}`,
    );
  }
  const seconds = (performance.now() - t0) / 1000;
  handle.postMessage('stop');
  await once(handle, 'exit');
  const tally = merge(tallies.filter(Boolean));
  const after = crashed ? [] : await checkAfter(target);
  const memory = memoryBounded(samples, total);
  const cpu = samples.at(-1)?.cpu_s ?? 0;
  const untested = routes.filter((r) => (tally.perRoute[`${r.method} ${r.template}`]?.sent ?? 0) === 0);
  const problems = Object.values(tally.problems).filter((p) => !p.example.includes('-> transport:'));
  pass =
    !crashed &&
    tally.status5xx === 0 &&
    problems.length === 0 &&
    memory.pass &&
    untested.length === 0 &&
    after.every((a) => a.pass) &&
    tally.sent >= total * 0.99;
  const report = {
    machine: machineInfo(),
    startedAt,
    finishedAt: new Date().toISOString(),
    command: `npm run fuzz -- ${process.argv.slice(2).join(' ')}`.trim(),
    seed,
    requests: tally.sent,
    seconds: Math.round(seconds),
    requests_per_s: Math.round(tally.sent / seconds),
    server_cpu_s: cpu,
    server_cores: Math.round((cpu / seconds) * 100) / 100,
    server_cpu_us_per_request: Math.round((cpu * 1e6) / Math.max(1, tally.sent)),
    status_5xx: tally.status5xx,
    transport_errors: tally.transportErrors,
    crashed,
    handle_packets: packets,
    memory,
    untested_routes: untested.map((r) => `${r.method} ${r.template}`),
    after,
    pass,
    routes: tally.perRoute,
    problems: tally.problems,
    samples,
  };
  await mkdir(values.out, { recursive: true });
  const base = join(values.out, `fuzz-${startedAt.replace(/[:.]/g, '-')}`);
  await writeFile(`${base}.json`, JSON.stringify(report, null, 2) + '\n');
  await writeFile(`${base}.md`, fuzzMarkdown(report));
  log(fuzzMarkdown(report).split('\n## Routes')[0] ?? '');
  log(`report: ${base}.{json,md}`);
} finally {
  await target.node.stop();
  await removeDir(dir);
}
process.exitCode = pass === true ? 0 : 1;
