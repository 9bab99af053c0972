import type { Command } from 'commander';
import { randomUUID } from 'node:crypto';
import { action, addGlobals, type Run } from '../command-kit.ts';
import { credentialsOf, requireCredentials } from '../context.ts';
import { usage } from '../exit-codes.ts';

interface ApplyOpts {
  company: string;
  creditCode: string;
  contactName: string;
  email?: string;
  phone?: string;
  requestedPrefix?: string;
  parentPrefix?: string;
  idempotencyKey?: string;
}

/** Every write carries an Idempotency-Key, so a retried command after a timeout is a replay, not a second write. */
const idem = (key: string | undefined): Record<string, string> => ({ 'idempotency-key': key ?? `cli-${randomUUID()}` });

async function apply(run: Run, o: ApplyOpts) {
  if (o.email === undefined && o.phone === undefined)
    throw usage('CLI_ERR_NO_CONTACT', 'give --email or --phone for the contact person.');
  const body = {
    companyName: o.company,
    creditCode: o.creditCode,
    contact: { name: o.contactName, ...(o.email ? { email: o.email } : {}), ...(o.phone ? { phone: o.phone } : {}) },
    ...(o.requestedPrefix ? { requestedPrefix: o.requestedPrefix } : {}),
    ...(o.parentPrefix ? { parentPrefix: o.parentPrefix } : {}),
  };
  const a = await run.client.json<{ id: string; status: string; prefix: string }>(
    'POST',
    '/api/admin/prefix-applications',
    {
      body,
      headers: idem(o.idempotencyKey),
    },
  );
  run.out.result(a, () => `application ${a.id}: ${a.status}, prefix ${a.prefix}`);
}

async function decide(
  run: Run,
  verdict: 'approve' | 'reject',
  id: string,
  o: { reason?: string; idempotencyKey?: string },
) {
  if (verdict === 'reject' && (o.reason ?? '') === '')
    throw usage('CLI_ERR_NO_REASON', 'reject needs --reason <text>.');
  const auth = await requireCredentials(run.globals);
  const a = await run.client.json<{ prefix: string; admin?: { user: string; secret?: string } }>(
    'POST',
    `/api/admin/prefix-applications/${encodeURIComponent(id)}/${verdict}`,
    { auth, body: o.reason === undefined ? {} : { reason: o.reason }, headers: idem(o.idempotencyKey) },
  );
  run.out.result(a, () =>
    verdict === 'reject'
      ? `rejected ${id}`
      : `approved: prefix ${a.prefix}, admin ${a.admin?.user}${a.admin?.secret ? ` secret (shown once): ${a.admin.secret}` : ''}`,
  );
}

async function show(run: Run, id: string) {
  const auth = await credentialsOf(run.globals);
  const a = await run.client.json<Record<string, unknown>>(
    'GET',
    `/api/admin/prefix-applications/${encodeURIComponent(id)}`,
    auth ? { auth } : {},
  );
  run.out.result(a, () => JSON.stringify(a, null, 2));
}

/** Every identifier under a prefix, page by page (LIST_HANDLES on 0.NA/<prefix>); --count prints only the number. */
async function list(run: Run, prefix: string, o: { count?: boolean }) {
  const auth = await requireCredentials(run.globals);
  let cursor: string | undefined;
  let n = 0;
  do {
    const q = new URLSearchParams({ prefix, pageSize: '1000', ...(cursor === undefined ? {} : { cursor }) });
    const page = await run.client.json<{ handles: string[]; next?: string }>('GET', `/api/handles?${q.toString()}`, {
      auth,
    });
    n += page.handles.length;
    if (o.count !== true) for (const h of page.handles) run.out.result({ handle: h }, () => h);
    cursor = page.next;
  } while (cursor !== undefined);
  if (o.count === true) run.out.result({ prefix, count: n }, () => String(n));
}

export function registerPrefixCommand(program: Command): void {
  const prefix = program.command('prefix').description('prefix applications and listings (registry admin API)');
  addGlobals(
    prefix
      .command('apply')
      .description('apply for an enterprise prefix (anyone)')
      .requiredOption('--company <name>', 'company name')
      .requiredOption('--credit-code <code>', 'unified social credit code (18 characters)')
      .requiredOption('--contact-name <name>', 'contact person')
      .option('--email <email>')
      .option('--phone <phone>')
      .option('--requested-prefix <prefix>')
      .option('--parent-prefix <prefix>')
      .option('--idempotency-key <key>', 'retry-safe key (default: a random one)'),
  ).action(action(apply));
  addGlobals(
    prefix
      .command('approve <application-id>')
      .description('approve (reviewer: ADD_NA on the parent); prints the new admin secret once')
      .option('--idempotency-key <key>'),
  ).action(action((run: Run, id: string, o: { idempotencyKey?: string }) => decide(run, 'approve', id, o)));
  addGlobals(
    prefix
      .command('reject <application-id>')
      .description('reject (reviewer)')
      .option('--reason <text>', 'required')
      .option('--idempotency-key <key>'),
  ).action(action((run: Run, id: string, o: { reason?: string }) => decide(run, 'reject', id, o)));
  addGlobals(
    prefix.command('show <application-id>').description('an application (the whole one for a reviewer)'),
  ).action(action(show));
  addGlobals(
    prefix
      .command('list <prefix>')
      .description('the identifiers under a prefix (LIST_HANDLES), one per line')
      .option('--count', 'print only how many'),
  ).action(action(list));
}
