import type { FastifyInstance } from 'fastify';
import { Type, type Static } from 'typebox';
import type { Application } from '../../../../prefix-registry/src/index.ts';
import { hasPermissions } from '../../auth/authorise.ts';
import type { Identity } from '../../auth/identity.ts';
import { naHandleOf } from '../../authority/homed-prefixes.ts';
import { parseIdentifier } from '../../identifier/index.ts';
import { Perm } from '../../records/permissions.ts';
import { ErrorResponse } from '../../records/schema.ts';
import { isLive, type StoredRecord } from '../../records/types.ts';
import type { AppContext } from '../app-context.ts';
import { requireIdentity } from './admin-common.ts';

const STATUSES = ['pending', 'approving', 'approved', 'rejected', 'all'] as const;

const ListQuery = Type.Object({
  status: Type.Optional(
    Type.Union(
      STATUSES.map((s) => Type.Literal(s)),
      { default: 'pending', description: 'Which applications (default pending).' },
    ),
  ),
  pageSize: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
  cursor: Type.Optional(Type.String({ maxLength: 200, description: 'The `next` value of the previous page.' })),
});
type ListQuery = Static<typeof ListQuery>;

/** The registry keeps each application as the record `0.REG/APP/<id>`, its state the value at index 1. */
const APP_KEYS = '0.reg/app/';
/** Records read per request at most: a page of rare statuses ends early with a cursor, never scans forever. */
const SCAN_BUDGET = 5000;

const applicationOf = (r: StoredRecord | undefined): Application | undefined =>
  isLive(r)
    ? (r.values.find((v) => v.index === 1 && v.type === 'IDN_REGISTRY_STATE')?.data.value as Application)
    : undefined;

/** The reviewer may see an application when it holds ADD_NA on its parent prefix (as approve requires). */
function reviewerFilter(ctx: AppContext, identity: Identity): (a: Application) => Promise<boolean> {
  const byParent = new Map<string, Promise<boolean>>();
  const may = async (parent: string): Promise<boolean> => {
    const na = await ctx.store.get(parseIdentifier(naHandleOf(parent), 'text').key);
    return isLive(na) && hasPermissions(identity, na.values, Perm.ADD_NA);
  };
  return (a) => {
    let p = byParent.get(a.parentPrefix);
    if (p === undefined) byParent.set(a.parentPrefix, (p = may(a.parentPrefix)));
    return p;
  };
}

/**
 * GET /api/admin/prefix-applications?status=pending|approving|approved|rejected|all: the
 * applications the reviewer may decide, oldest first, paged with a cursor. Reads the registry's
 * records through the read-only store; decisions stay on the approve / reject routes.
 */
export function registerAdminApplicationsList(app: FastifyInstance, ctx: AppContext): void {
  app.get<{ Querystring: ListQuery }>(
    '/api/admin/prefix-applications',
    {
      schema: {
        summary: 'List prefix applications by status (reviewers: ADD_NA on the parent prefix)',
        tags: ['registry'],
        querystring: ListQuery,
        response: { '4xx': ErrorResponse },
      },
    },
    async (request) => {
      const identity = await requireIdentity(ctx, request);
      const status = (request.query.status ?? 'pending') as (typeof STATUSES)[number];
      const limit = request.query.pageSize ?? 50;
      const visible = reviewerFilter(ctx, identity);
      const applications: Application[] = [];
      let after = request.query.cursor;
      let scanned = 0;
      let next: string | undefined;
      for (;;) {
        const page = await ctx.store.list(APP_KEYS, { limit: 200, ...(after === undefined ? {} : { after }) });
        const last = page.keys[page.keys.length - 1];
        for (const key of page.keys) {
          scanned += 1;
          const a = applicationOf(await ctx.store.get(key));
          if (a !== undefined && (status === 'all' || a.status === status) && (await visible(a))) applications.push(a);
          if (applications.length >= limit || scanned >= SCAN_BUDGET) {
            // More may follow unless this was the very last key.
            if (key !== last || page.next !== undefined) next = key;
            break;
          }
        }
        if (next !== undefined || applications.length >= limit || scanned >= SCAN_BUDGET) break;
        if (page.next === undefined || last === undefined) break;
        after = page.next;
      }
      return { responseCode: 1, status, applications, ...(next === undefined ? {} : { next }) };
    },
  );
}
