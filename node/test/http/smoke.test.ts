import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { putRecord, startTestNode, urlValue, type TestNode } from '../helpers/test-node.ts';

describe('QR walk-through', () => {
  let node: TestNode;
  beforeAll(async () => {
    node = await startTestNode();
  });
  afterAll(() => node.close());

  it('registers an identifier and redirects a scan to its URL', async () => {
    const put = await putRecord(
      node.url,
      '88.100.5/BAT-2025-000001',
      [urlValue(1, 'https://passport.example/bat/1')],
      node.adminAuth('88.100.5'),
    );
    expect(put.status).toBe(201);
    const scan = await fetch(`${node.url}/88.100.5/bat-2025-000001`, { redirect: 'manual' });
    expect(scan.status).toBe(302);
    expect(scan.headers.get('location')).toBe('https://passport.example/bat/1');
  });
});
