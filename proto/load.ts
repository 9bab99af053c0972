import { loadPackageDefinition } from '@grpc/grpc-js';
import { loadSync, type Options } from '@grpc/proto-loader';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PROTO_FILES } from './files.ts';
import type { ProtoGrpcType as RegistryProto } from './generated/registry.generated.ts';
import type { ProtoGrpcType as ResolutionProto } from './generated/resolution.generated.ts';
import type { ProtoGrpcType as SyncProto } from './generated/sync.generated.ts';

/**
 * Loads idnode.v1 once (protobufjs at runtime, no protoc) and exports typed service
 * constructors and definitions. The options must match GENERATOR_FLAGS in gen.ts: camelCase
 * fields, 64-bit ints as numbers (seq and version stay below 2^53), enums as their names,
 * defaults filled in, and a virtual field naming the set member of each oneof.
 */

export const PROTO_DIR = dirname(fileURLToPath(import.meta.url));

export const LOADER_OPTIONS: Options = {
  keepCase: false,
  longs: Number,
  enums: String,
  defaults: true,
  oneofs: true,
  includeDirs: [PROTO_DIR],
};

export const packageDefinition = loadSync([...PROTO_FILES], LOADER_OPTIONS);

type IdnodeProto = ResolutionProto & RegistryProto & SyncProto;

// loadPackageDefinition returns an untyped GrpcObject; the generated ProtoGrpcType describes it.
const loaded = loadPackageDefinition(packageDefinition) as unknown as IdnodeProto;

export const idnodeV1 = loaded.idnode.v1;

/** Client constructors: `new ResolutionClient(address, credentials, options)`. */
export const ResolutionClient = idnodeV1.Resolution;
export const RegistryClient = idnodeV1.Registry;
export const SyncClient = idnodeV1.Sync;

/** Service definitions for `server.addService(def, handlers)`. */
export const resolutionService = idnodeV1.Resolution.service;
export const registryService = idnodeV1.Registry.service;
export const syncService = idnodeV1.Sync.service;

export type {
  ResolutionClient as ResolutionClientType,
  ResolutionHandlers,
} from './generated/idnode/v1/Resolution.generated.ts';
export type {
  RegistryClient as RegistryClientType,
  RegistryHandlers,
} from './generated/idnode/v1/Registry.generated.ts';
export type { SyncClient as SyncClientType, SyncHandlers } from './generated/idnode/v1/Sync.generated.ts';

// grpc.health.v1 comes from grpc-health-check (the upstream implementation), not from a copy here.
export { HealthImplementation, service as healthService } from 'grpc-health-check';
