// Original file: proto/idnode/v1/registry.proto

export const NodeRole = {
  NODE_ROLE_UNSPECIFIED: 'NODE_ROLE_UNSPECIFIED',
  NODE_ROLE_TOP_LEVEL: 'NODE_ROLE_TOP_LEVEL',
  NODE_ROLE_SECONDARY: 'NODE_ROLE_SECONDARY',
  NODE_ROLE_CACHING: 'NODE_ROLE_CACHING',
} as const;

export type NodeRole =
  'NODE_ROLE_UNSPECIFIED' | 0 | 'NODE_ROLE_TOP_LEVEL' | 1 | 'NODE_ROLE_SECONDARY' | 2 | 'NODE_ROLE_CACHING' | 3;

export type NodeRole__Output = (typeof NodeRole)[keyof typeof NodeRole];
