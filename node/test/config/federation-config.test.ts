import { describe, expect, it } from 'vitest';
import { readSection } from '../../src/config-kit/section.ts';
import { federationSection } from '../../src/federation/config.ts';
import { problemsOf } from './config-helpers.ts';

// Federated roles need TLS or IDNODE_INSECURE_GRPC=1 (the tls section); these rows are about the federation section.
const INSECURE = { IDNODE_INSECURE_GRPC: '1' };

describe('federation config section', () => {
  it.each([
    [{}, { role: 'standalone', prefixes: ['88.100.5'], grpc: undefined, upstream: undefined, heartbeatSeconds: 5 }],
    [{ IDNODE_PREFIXES: '88.100.5, 88.100.6,88.100.5' }, { prefixes: ['88.100.5', '88.100.6'] }],
    [{ IDNODE_GRPC_PORT: '0' }, { grpc: { port: 0, advertise: '127.0.0.1:0' } }],
    [
      { IDNODE_ROLE: 'top-level', IDNODE_PREFIXES: '88', IDNODE_DELEGATIONS: '88.100=secA, 88.200=secB' },
      {
        role: 'top-level',
        prefixes: ['88'],
        grpc: { port: 50051, advertise: '127.0.0.1:50051' },
        delegations: new Map([
          ['88.100', 'secA'],
          ['88.200', 'secB'],
        ]),
      },
    ],
    [
      {
        IDNODE_ROLE: 'secondary',
        IDNODE_PREFIXES: '88.100',
        IDNODE_UPSTREAM: 'top.example:9100',
        IDNODE_GRPC_PORT: '9101',
        IDNODE_GRPC_ADVERTISE: 'sec-a.example:9101',
        IDNODE_NODE_ID: 'secA',
        IDNODE_UPSTREAM_TIMEOUT_MS: '500',
      },
      {
        role: 'secondary',
        upstream: 'top.example:9100',
        grpc: { port: 9101, advertise: 'sec-a.example:9101' },
        nodeId: 'secA',
        upstreamTimeoutMs: 500,
      },
    ],
    [
      { IDNODE_ROLE: 'caching', IDNODE_UPSTREAM: '127.0.0.1:9100' },
      { role: 'caching', prefixes: [] },
    ],
    [{ IDNODE_HEARTBEAT_S: '1' }, { heartbeatSeconds: 1 }],
  ])('normalises %j', (env, expected) => {
    const { value, problems } = readSection(federationSection, env);
    expect(problems).toEqual([]);
    expect(value).toMatchObject(expected);
  });

  it.each([
    [
      { IDNODE_ROLE: 'primary' },
      'IDNODE_ROLE must be one of: standalone, top-level, secondary, caching (got "primary")',
    ],
    [{ IDNODE_GRPC_PORT: '65536' }, 'IDNODE_GRPC_PORT must be an integer 0-65535 (got "65536")'],
    [
      { IDNODE_ROLE: 'caching', IDNODE_UPSTREAM: 'top' },
      'IDNODE_UPSTREAM must be host:port with a port 1-65535, e.g. 127.0.0.1:50051 (got "top")',
    ],
    [
      { IDNODE_ROLE: 'caching', IDNODE_UPSTREAM: 'top:0' },
      'IDNODE_UPSTREAM must be host:port with a port 1-65535, e.g. 127.0.0.1:50051 (got "top:0")',
    ],
    [
      { IDNODE_NODE_ID: '-x' },
      "IDNODE_NODE_ID must be a letter or digit, then up to 63 letters, digits, '.', '_' or '-' (got \"-x\")",
    ],
    [{ IDNODE_HEARTBEAT_S: '0' }, 'IDNODE_HEARTBEAT_S must be an integer 1-9999 (got "0")'],
    [{ IDNODE_UPSTREAM_TIMEOUT_MS: '2s' }, 'IDNODE_UPSTREAM_TIMEOUT_MS must be an integer 1-999999 (got "2s")'],
    [{ IDNODE_PREFIXES: '0.NA' }, 'IDNODE_PREFIXES must not list 0.NA: it is reserved for prefix records'],
    [
      { IDNODE_ROLE: 'secondary', IDNODE_UPSTREAM: 'h:1' },
      'IDNODE_PREFIXES is required for role secondary (e.g. 88 for top-level, 88.100 for secondary)',
    ],
    [
      { IDNODE_ROLE: 'caching', IDNODE_PREFIXES: '88.100', IDNODE_UPSTREAM: 'h:1' },
      'IDNODE_PREFIXES must be unset for role caching: a caching node homes no prefixes and takes no writes',
    ],
    [
      { IDNODE_ROLE: 'top-level', IDNODE_PREFIXES: '88,89' },
      'IDNODE_PREFIXES must be exactly one root prefix for role top-level (e.g. 88; got 2)',
    ],
    [
      { IDNODE_ROLE: 'secondary', IDNODE_PREFIXES: '88.100' },
      "IDNODE_UPSTREAM is required for role secondary (host:port of the top-level node's gRPC)",
    ],
    [{ IDNODE_UPSTREAM: 'h:1' }, 'IDNODE_UPSTREAM must be unset for role standalone: it asks no upstream node'],
    [
      { IDNODE_DELEGATIONS: '88.100=secA' },
      'IDNODE_DELEGATIONS must be unset for role standalone: only the top-level node delegates',
    ],
    [
      { IDNODE_ROLE: 'top-level', IDNODE_PREFIXES: '88', IDNODE_DELEGATIONS: '88.100' },
      'IDNODE_DELEGATIONS has a bad item "88.100": expected prefix=nodeId',
    ],
  ])('refuses %j', (env, line) => {
    expect(readSection(federationSection, env).problems).toEqual([line]);
  });

  it('reports each bad item of a list, so one typo hides no other', () => {
    const { value, problems } = readSection(federationSection, { IDNODE_PREFIXES: '88.100.5,88 .1,,88.100.6' });
    expect(value.prefixes).toEqual(['88.100.5', '88.100.6']);
    expect(problems).toHaveLength(2);
    expect(problems[0]).toMatch(/^IDNODE_PREFIXES has a bad prefix "88 \.1": /);
    expect(problems[1]).toMatch(/^IDNODE_PREFIXES has a bad prefix "": /);
  });

  it('drops what only follows from a bad role, and reports the rest', () => {
    const { problems } = readSection(federationSection, {
      IDNODE_ROLE: 'secundary',
      IDNODE_UPSTREAM: 'top:9100',
      IDNODE_HEARTBEAT_S: 'often',
    });
    // Not also "IDNODE_UPSTREAM must be unset for role standalone" (the default the bad role fell back to).
    expect(problems).toEqual([
      'IDNODE_ROLE must be one of: standalone, top-level, secondary, caching (got "secundary")',
      'IDNODE_HEARTBEAT_S must be an integer 1-9999 (got "often")',
    ]);
  });

  it('refuses gRPC on the HTTP port (a rule across sections)', () => {
    expect(problemsOf({ ...INSECURE, IDNODE_GRPC_PORT: '8080' })).toEqual([
      'IDNODE_GRPC_PORT must differ from IDNODE_HTTP_PORT (both are 8080)',
    ]);
  });

  it('flags mirror the variables and are named in the problem', () => {
    expect(
      problemsOf({}, [
        '--role',
        'top-level',
        '--prefixes',
        '88',
        '--delegations',
        '88.100=secA',
        '--insecure-grpc',
        '1',
      ]),
    ).toEqual([]);
    expect(problemsOf({}, ['--role', 'leaf'])).toEqual([
      'IDNODE_ROLE (--role) must be one of: standalone, top-level, secondary, caching (got "leaf")',
    ]);
  });

  it('refuses a misspelt variable of the section, naming the right one', () => {
    expect(problemsOf({ IDNODE_DELEGATION: '88.100=secA' })).toEqual([
      'IDNODE_DELEGATION is not an idnode variable; did you mean IDNODE_DELEGATIONS?',
    ]);
  });
});
