import type { Command } from 'commander';
import { action, addGlobals, type Run } from '../command-kit.ts';
import { credentialsOf } from '../context.ts';
import { CliError, EXIT, exitForHttp } from '../exit-codes.ts';
import { handlePath } from '../http-client.ts';
import { DEFAULT_HANDLE_PORT, resolveOverHandle } from './resolve-handle.ts';

interface Span {
  readonly node?: string;
  readonly stage: string;
  readonly depth: number;
  readonly outcome: string;
  readonly ms: number;
  readonly detail?: string;
}

interface Answer {
  readonly responseCode: number;
  readonly handle?: string;
  readonly values?: readonly { index: number; type: string; data: { value: unknown } }[];
  readonly code?: string;
  readonly message?: string;
  readonly detail?: unknown;
  readonly trace?: readonly Span[];
}

/** One line per span, indented by depth: `secA  store  found:store  0.41 ms`. */
export function traceLines(spans: readonly Span[], here: string): string[] {
  return spans.map((s) => {
    const where = s.stage === 'hop' ? `-> ${s.node ?? '?'}` : s.stage;
    const node = s.stage === 'hop' ? here : (s.node ?? here);
    const detail = s.detail === undefined ? '' : `  (${s.detail})`;
    return `${'  '.repeat(s.depth)}${node.padEnd(8)} ${where.padEnd(12)} ${s.outcome.padEnd(22)} ${s.ms.toFixed(3)} ms${detail}`;
  });
}

function valueLines(a: Answer): string[] {
  return (a.values ?? []).map(
    (v) => `  ${String(v.index).padStart(4)} ${v.type.padEnd(12)} ${JSON.stringify(v.data.value)}`,
  );
}

interface ResolveOptions {
  trace?: boolean;
  auth?: boolean;
  handleProtocol?: boolean;
  udp?: boolean;
  handlePort?: string;
}

async function resolve(run: Run, id: string, o: ResolveOptions): Promise<number> {
  if (o.handleProtocol === true || o.udp === true) return resolveOverHandle(run, id, o);
  const q = new URLSearchParams();
  if (o.trace === true) q.set('trace', 'true');
  if (o.auth === true) q.set('auth', 'true');
  const creds = await credentialsOf(run.globals);
  const qs = q.size > 0 ? `?${q.toString()}` : '';
  const started = performance.now();
  const res = await run.client.request('GET', `/api/handles/${handlePath(id)}${qs}`, creds ? { auth: creds } : {});
  const ms = Math.round((performance.now() - started) * 10) / 10;
  const text = await res.text();
  let a: Answer;
  try {
    a = JSON.parse(text) as Answer;
  } catch {
    throw new CliError(exitForHttp(res.status), `HTTP_${res.status}`, `unexpected answer: ${text.slice(0, 200)}`);
  }
  const source = res.headers.get('x-idnode-source') ?? undefined;
  const here = new URL(run.client.url).host;
  const traced = a.trace === undefined ? [] : ['trace:', ...traceLines(a.trace, here)];
  if (!res.ok) throw refusal(run, res.status, a, { status: res.status, source, ms }, traced);
  run.out.result({ ...a, status: res.status, source, ms }, () =>
    [`${a.handle} (source ${source}, ${ms} ms)`, ...valueLines(a), ...traced].join('\n'),
  );
  return EXIT.OK;
}

/**
 * The node's refusal as every command reports a failure: stderr for humans (with the trace, which
 * says where it was decided), `{"ok":false,"exit":N,"code",...}` on stdout with --json.
 */
function refusal(run: Run, status: number, a: Answer, facts: Record<string, unknown>, traced: string[]): CliError {
  if (!run.out.json && traced.length > 0) process.stderr.write(`${traced.join('\n')}\n`);
  const { code = `HTTP_${status}`, message = `the node answered ${status}`, detail, ...rest } = a;
  return new CliError(exitForHttp(status, a.responseCode), code, message, detail, { ...rest, ...facts });
}

export function registerResolveCommand(program: Command): void {
  addGlobals(
    program
      .command('resolve <id>')
      .description('resolve an identifier over HTTP')
      .option('--trace', 'show each resolution stage and hop to another node, with timings')
      .option('--auth', 'authoritative answer (bypasses caches)')
      .option('--handle-protocol', "the native Handle protocol (RFC 3652, TCP) to the --url's host instead of HTTP")
      .option('--udp', 'with --handle-protocol: UDP first, TCP when UDP gives no answer (as Handle clients do)')
      .option('--handle-port <port>', `with --handle-protocol: the Handle port (default ${DEFAULT_HANDLE_PORT})`),
  ).action(action(resolve));
}
