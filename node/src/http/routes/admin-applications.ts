import type { FastifyInstance } from 'fastify';
import { Type, type Static } from 'typebox';
import type { Application } from '../../../../prefix-registry/src/index.ts';
import { identityName } from '../../auth/identity.ts';
import { naHandleOf } from '../../authority/homed-prefixes.ts';
import { IdnError } from '../../errors/idn-error.ts';
import { parsePrefix } from '../../identifier/index.ts';
import type { ChangeSet } from '../../records/change-set.ts';
import { Perm } from '../../records/permissions.ts';
import { adminHandleOf } from '../../records/prefix-admin.ts';
import { ErrorResponse } from '../../records/schema.ts';
import { registryPrincipal, type SystemPrincipal } from '../../write/principal.ts';
import type { AppContext } from '../app-context.ts';
import { homedPrefix, idempotencyKey, registryActor, requireIdentity, requireOnPrefix } from './admin-common.ts';

const BASE = '/api/admin/prefix-applications';

const ApplyBody = Type.Object({
  companyName: Type.String({ minLength: 1, maxLength: 200 }),
  creditCode: Type.String({
    minLength: 18,
    maxLength: 18,
    description: 'Unified social credit code (统一社会信用代码)',
  }),
  contact: Type.Object({
    name: Type.String({ minLength: 1, maxLength: 100 }),
    email: Type.Optional(Type.String({ maxLength: 200 })),
    phone: Type.Optional(Type.String({ maxLength: 40 })),
  }),
  requestedPrefix: Type.Optional(Type.String({ maxLength: 64 })),
  parentPrefix: Type.Optional(Type.String({ maxLength: 64 })),
});
type ApplyBody = Static<typeof ApplyBody>;

const DecisionBody = Type.Object({ reason: Type.Optional(Type.String({ maxLength: 1000 })) });
type DecisionBody = Static<typeof DecisionBody>;
const IdParams = Type.Object({ id: Type.String({ maxLength: 64 }) });
type IdParams = Static<typeof IdParams>;

/** The homed prefix an application's parent lies under: the registry's "industry" prefix. */
function industryFor(ctx: AppContext, parent: string | undefined): string {
  if (parent !== undefined) {
    const key = parsePrefix(homedPrefix(ctx, parent), 'text').prefixKey;
    const home = ctx.homed.prefixes.find((p) => key === p.toLowerCase() || key.startsWith(`${p.toLowerCase()}.`));
    return home ?? parent;
  }
  if (ctx.homed.prefixes.length !== 1) {
    throw new IdnError('IDN_ERR_BAD_REQUEST', 'This node homes several prefixes: name the parentPrefix.');
  }
  return ctx.homed.prefixes[0]!;
}

/** The registry decides over reads; its decisions are applied through ctx.records (RecordService). */
const registryFor = (ctx: AppContext, parent: string | undefined) =>
  ctx.registry.applications(industryFor(ctx, parent));

/** Applies a registry decision as `who`: every value rule applies, one commit. */
const applyAs = (ctx: AppContext, who: SystemPrincipal) => (set: ChangeSet) => ctx.records.apply(set, who);

/** Anyone may see an application's status by id; details need the reviewer's rights. */
const publicView = (a: Application) => ({ id: a.id, status: a.status, prefix: a.prefix });

function registerApply(app: FastifyInstance, ctx: AppContext): void {
  app.post<{ Body: ApplyBody }>(
    BASE,
    {
      schema: {
        summary: 'Apply for an enterprise prefix',
        tags: ['registry'],
        body: ApplyBody,
        response: { '4xx': ErrorResponse },
      },
    },
    async (request, reply) => {
      const b = request.body;
      // Anyone may apply: the registry writes only its own records (application, claim, result).
      const who = registryPrincipal(registryActor(`applicant:${b.creditCode}`));
      const application = await registryFor(ctx, b.parentPrefix).apply(
        {
          companyName: b.companyName,
          creditCode: b.creditCode,
          contact: b.contact,
          ...(b.requestedPrefix === undefined ? {} : { requestedPrefix: b.requestedPrefix }),
          ...(b.parentPrefix === undefined ? {} : { parentPrefix: b.parentPrefix }),
          idempotencyKey: idempotencyKey(request),
        },
        applyAs(ctx, who),
      );
      return reply.code(201).send(publicView(application));
    },
  );
}

function registerGet(app: FastifyInstance, ctx: AppContext): void {
  app.get<{ Params: IdParams }>(
    `${BASE}/:id`,
    {
      schema: {
        summary: 'A prefix application',
        tags: ['registry'],
        params: IdParams,
        response: { '4xx': ErrorResponse },
      },
    },
    async (request, reply) => {
      const application = await registryFor(ctx, undefined).get(request.params.id);
      if (request.headers.authorization === undefined) return reply.send(publicView(application));
      const identity = await requireIdentity(ctx, request);
      await requireOnPrefix(ctx, identity, application.parentPrefix, Perm.ADD_NA);
      return reply.send(application);
    },
  );
}

function registerDecision(app: FastifyInstance, ctx: AppContext, decision: 'approve' | 'reject'): void {
  app.post<{ Params: IdParams; Body: DecisionBody }>(
    `${BASE}/:id/${decision}`,
    {
      schema: {
        summary:
          decision === 'approve'
            ? 'Approve: allocates the prefix, returns its admin secret once'
            : 'Reject (reason required)',
        tags: ['registry'],
        params: IdParams,
        body: DecisionBody,
        response: { '4xx': ErrorResponse },
      },
    },
    async (request, reply) => {
      const identity = await requireIdentity(ctx, request);
      const pending = await registryFor(ctx, undefined).get(request.params.id);
      // The reviewer is an admin allowed to create prefixes under the parent (ADD_NA on 0.NA/<parent>).
      await requireOnPrefix(ctx, identity, pending.parentPrefix, Perm.ADD_NA);
      const registry = registryFor(ctx, pending.parentPrefix);
      const d = {
        reviewer: identityName(identity),
        idempotencyKey: idempotencyKey(request),
        ...(request.body?.reason === undefined ? {} : { reason: request.body.reason }),
      };
      if (decision === 'reject') {
        const who = registryPrincipal(registryActor(d.reviewer));
        return reply.send(publicView(await registry.reject(pending.id, d, applyAs(ctx, who))));
      }
      // The reviewer's approval is the authority for exactly the new prefix's two records.
      const prefix = pending.prefix;
      const who = registryPrincipal(registryActor(d.reviewer), [naHandleOf(prefix), adminHandleOf(prefix)]);
      const approval = await registry.approve(pending.id, d, applyAs(ctx, who));
      const admin = `${approval.adminIndex}:${approval.adminHandle}`;
      // The secret exists only in this response (the store keeps it sealed, ADR 0002); a replay omits it.
      reply.header('cache-control', 'no-store');
      return reply.send({
        ...publicView(approval.application),
        admin: approval.secret === undefined ? { user: admin } : { user: admin, secret: approval.secret },
      });
    },
  );
}

/** Enterprise prefix applications: apply (anyone), read, approve / reject (reviewer with ADD_NA on the parent). */
export function registerAdminApplications(app: FastifyInstance, ctx: AppContext): void {
  registerApply(app, ctx);
  registerGet(app, ctx);
  registerDecision(app, ctx, 'approve');
  registerDecision(app, ctx, 'reject');
}
