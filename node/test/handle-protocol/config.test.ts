import { describe, expect, it } from 'vitest';
import type { ConfigError } from '../../src/config/load.ts';
import { parseConfig } from '../../src/config/load.ts';
import { withRoleDefault } from '../../src/handle-protocol/config.ts';

describe('IDNODE_HANDLE_* configuration', () => {
  it('is off for a plain standalone node, on 2641 when set or in a federated role', () => {
    expect(parseConfig({}, []).handle.port).toBeUndefined();
    expect(parseConfig({ IDNODE_HANDLE_PORT: '2641' }, []).handle.port).toBe(2641);
    const section = parseConfig({}, []).handle;
    expect(withRoleDefault(section, 'secondary').port).toBe(2641);
    // off: no Handle port whatever the role (several federated nodes on one machine).
    expect(withRoleDefault({ ...section, port: 'off' }, 'secondary').port).toBeUndefined();
    expect(parseConfig({ IDNODE_HANDLE_PORT: 'off' }, []).handle.port).toBeUndefined();
    expect(parseConfig({ IDNODE_HANDLE_ADVERTISE: 'handle.example.org' }, []).handle.advertise).toBe(
      'handle.example.org',
    );
  });

  it('refuses the HTTP port and bad values, naming the variable', () => {
    const problems = (env: Record<string, string>) => {
      try {
        parseConfig(env, []);
        return [];
      } catch (e) {
        return (e as ConfigError).problems;
      }
    };
    expect(problems({ IDNODE_HANDLE_PORT: '8080', IDNODE_HTTP_PORT: '8080' })[0]).toMatch(
      /^IDNODE_HANDLE_PORT must differ from IDNODE_HTTP_PORT/,
    );
    expect(problems({ IDNODE_HANDLE_PORT: 'x' })[0]).toMatch(/^IDNODE_HANDLE_PORT.*or off/);
    expect(problems({ IDNODE_HANDLE_PORT: '70000' })[0]).toMatch(/^IDNODE_HANDLE_PORT/);
    expect(problems({ IDNODE_HANDLE_UDP_MAX_PACKETS: '0' })[0]).toMatch(/^IDNODE_HANDLE_UDP_MAX_PACKETS/);
  });
});
