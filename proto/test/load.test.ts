import { credentials, Server, ServerCredentials, type ServiceError } from '@grpc/grpc-js';
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { ResolveResponse, ResolveResponse__Output } from '../generated/idnode/v1/ResolveResponse.generated.ts';
import type { ResolveResponseBatch__Output } from '../generated/idnode/v1/ResolveResponseBatch.generated.ts';
import {
  HealthImplementation,
  resolutionService,
  ResolutionClient,
  type ResolutionClientType,
  type ResolutionHandlers,
} from '../load.ts';

// The loaded definition really works over the wire: a loopback server answers unary and stream
// calls with the shapes the generated types promise (camelCase, enum names, numbers for uint64).

const answer = (requestId: string, identifier: string): ResolveResponse => ({
  requestId,
  status: 'RESOLVE_STATUS_FOUND',
  authoritative: true,
  ttl: 60,
  record: {
    handle: identifier,
    version: 2 ** 40,
    values: [
      {
        index: 1,
        type: 'URL',
        data: { format: 'string', json: '"https://e.example/p"' },
        access: 'ACCESS_TIER_PUBLIC',
      },
    ],
  },
});

const handlers: ResolutionHandlers = {
  Resolve: (call, cb) => cb(null, answer(call.request.requestId, call.request.identifier)),
  ResolveStream: (call) => {
    call.on('data', (req: { requestId: string; identifier: string }) =>
      call.write(answer(req.requestId, req.identifier)),
    );
    call.on('end', () => call.end());
  },
  ResolveBatchStream: (call) => {
    call.on('data', (b: { requests: { requestId: string; identifier: string }[] }) =>
      call.write({ responses: b.requests.map((r) => answer(r.requestId, r.identifier)) }),
    );
    call.on('end', () => call.end());
  },
};

let server: Server;
let client: ResolutionClientType;
let port = 0;

beforeAll(async () => {
  server = new Server();
  server.addService(resolutionService, handlers);
  new HealthImplementation({ '': 'SERVING' }).addToServer(server);
  port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (e, p) => (e ? reject(e) : resolve(p))),
  );
  client = new ResolutionClient(`127.0.0.1:${port}`, credentials.createInsecure());
});

afterAll(() => {
  client.close();
  server.forceShutdown();
});

const deadline = (): Date => new Date(Date.now() + 5000);

test('unary Resolve round-trips a record with a 64-bit version as a number', async () => {
  const res = await new Promise<ResolveResponse__Output>((resolve, reject) =>
    client.resolve({ requestId: 'r1', identifier: '88.100.5/A' }, { deadline: deadline() }, (e, r) =>
      e || !r ? reject(e ?? new Error('no response')) : resolve(r),
    ),
  );
  expect(res.status).toBe('RESOLVE_STATUS_FOUND');
  expect(res.record?.version).toBe(2 ** 40);
  expect(res.record?.values[0]?.data?.payload).toBe('json');
  expect(res.referral).toBeNull();
});

test('ResolveStream multiplexes requests matched by request_id', async () => {
  const call = client.resolveStream({ deadline: deadline() });
  const got = new Map<string, string>();
  const done = new Promise<void>((resolve, reject) => {
    call.on('data', (r: ResolveResponse__Output) => got.set(r.requestId, r.record?.handle ?? ''));
    call.on('end', resolve);
    call.on('error', reject);
  });
  for (let i = 0; i < 50; i++) call.write({ requestId: `q${i}`, identifier: `88.100.5/S${i}` });
  call.end();
  await done;
  expect(got.size).toBe(50);
  expect(got.get('q7')).toBe('88.100.5/S7');
});

test('ResolveBatchStream carries many requests per message, each answer with its request_id', async () => {
  const call = client.resolveBatchStream({ deadline: deadline() });
  const got = new Map<string, string>();
  let messages = 0;
  const done = new Promise<void>((resolve, reject) => {
    call.on('data', (b: ResolveResponseBatch__Output) => {
      messages++;
      for (const r of b.responses) got.set(r.requestId, r.record?.handle ?? '');
    });
    call.on('end', resolve);
    call.on('error', reject);
  });
  for (let m = 0; m < 2; m++) {
    const requests = Array.from({ length: 25 }, (_, i) => ({
      requestId: `b${m * 25 + i}`,
      identifier: `88.100.5/B${m * 25 + i}`,
    }));
    call.write({ requests });
  }
  call.end();
  await done;
  expect([messages, got.size, got.get('b31')]).toEqual([2, 50, '88.100.5/B31']);
});

test('grpc.health.v1 from grpc-health-check answers SERVING', async () => {
  const { loadPackageDefinition } = await import('@grpc/grpc-js');
  const { loadSync } = await import('@grpc/proto-loader');
  const { protoPath } = await import('grpc-health-check');
  const health = loadPackageDefinition(loadSync(protoPath, { enums: String })) as unknown as {
    grpc: {
      health: { v1: { Health: new (a: string, c: ReturnType<typeof credentials.createInsecure>) => HealthClient } };
    };
  };
  const hc = new health.grpc.health.v1.Health(`127.0.0.1:${port}`, credentials.createInsecure());
  const status = await new Promise<string>((resolve, reject) =>
    hc.check({ service: '' }, { deadline: deadline() }, (e, r) => (e ? reject(e) : resolve(r?.status ?? ''))),
  );
  hc.close();
  expect(status).toBe('SERVING');
});

interface HealthClient {
  check(
    req: { service: string },
    opts: { deadline: Date },
    cb: (e: ServiceError | null, r?: { status: string }) => void,
  ): void;
  close(): void;
}
