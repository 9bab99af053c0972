import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { GENERATED_DIR, generate, listFiles } from '../gen.ts';

// CI drift check: the committed proto/generated/ must be exactly what `npm run proto:gen` makes
// from the committed .proto files. A failure means: run `npm run proto:gen` and commit the result.

let tmp: string | undefined;
afterAll(async () => {
  if (tmp !== undefined) await rm(tmp, { recursive: true, force: true });
});

async function snapshot(dir: string): Promise<Map<string, string>> {
  const files = await listFiles(dir);
  const entries = await Promise.all(files.map(async (f) => [relative(dir, f), await readFile(f, 'utf8')] as const));
  return new Map(entries);
}

test('committed proto/generated matches a fresh generation', async () => {
  tmp = await mkdtemp(join(tmpdir(), 'idnode-drift-'));
  const fresh = join(tmp, 'generated');
  await generate(fresh);
  const [want, have] = await Promise.all([snapshot(fresh), snapshot(GENERATED_DIR)]);
  expect([...have.keys()].sort()).toEqual([...want.keys()].sort());
  for (const [name, text] of want) expect(have.get(name), `${name} differs`).toBe(text);
});
