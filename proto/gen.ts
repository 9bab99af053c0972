import { execFile } from 'node:child_process';
import { cp, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import * as prettier from 'prettier';
import { PROTO_FILES } from './files.ts';

/**
 * Regenerates proto/generated/ from proto/idnode/v1/*.proto with proto-loader-gen-types (pure JS,
 * no protoc download). The flags must agree with LOADER_OPTIONS in load.ts, or the generated
 * types would describe objects the loader never produces. Output is then formatted with the
 * repo's prettier config so `prettier --check .` stays clean; `.generated.ts` files are skipped
 * by eslint (eslint.config.js ignores `**\/*.generated.*`) but still type-checked by tsc.
 */

const PROTO_DIR = dirname(fileURLToPath(import.meta.url));
export const REPO_ROOT = resolve(PROTO_DIR, '..');
export const GENERATED_DIR = join(PROTO_DIR, 'generated');

const GENERATOR_FLAGS = [
  '--longs=Number',
  '--enums=String',
  '--defaults',
  '--oneofs',
  '--includeComments',
  '--grpcLib=@grpc/grpc-js',
  // tsconfig uses nodenext + allowImportingTsExtensions: relative imports need their extension.
  '--targetFileExtension=.generated.ts',
  '--importFileExtension=.generated.ts',
];

const run = promisify(execFile);

function generatorBin(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('@grpc/proto-loader/package.json')), 'build/bin/proto-loader-gen-types.js');
}

export async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
}

async function formatAll(dir: string): Promise<void> {
  const config = (await prettier.resolveConfig(join(REPO_ROOT, 'package.json'))) ?? {};
  for (const file of await listFiles(dir)) {
    const text = await readFile(file, 'utf8');
    await writeFile(file, await prettier.format(text, { ...config, filepath: file }));
  }
}

/** Writes the generated, formatted types into outDir (which must not exist or be empty). */
export async function generate(outDir: string): Promise<void> {
  // cwd = repo root so the "Original file:" comments name the same paths wherever outDir is.
  const args = [generatorBin(), ...GENERATOR_FLAGS, `--includeDirs=${relative(REPO_ROOT, PROTO_DIR)}`, `-O`, outDir];
  await run(process.execPath, [...args, ...PROTO_FILES], { cwd: REPO_ROOT });
  await formatAll(outDir);
}

/** `npm run proto:gen`: generate into a temp dir, then swap it in, so a failure leaves the old output. */
async function main(): Promise<void> {
  const tmp = await mkdtemp(join(tmpdir(), 'idnode-proto-'));
  const out = join(tmp, 'generated');
  await generate(out);
  await rm(GENERATED_DIR, { recursive: true, force: true });
  // A copy, not a rename: /tmp is often another filesystem.
  await cp(out, GENERATED_DIR, { recursive: true });
  await rm(tmp, { recursive: true, force: true });
  console.log(`generated ${(await listFiles(GENERATED_DIR)).length} files into ${relative(REPO_ROOT, GENERATED_DIR)}/`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main();
