import type { Command } from 'commander';
import { checkCosignature } from '../../tlog/cosignature.ts';
import { consistencyProof, verifyConsistency } from '../../tlog/merkle.ts';
import { checkNoteSignature, parseVkey, SIG_COSIGNATURE_V1, SIG_ED25519 } from '../../tlog/note.ts';
import { action, addGlobals, type Run } from '../command-kit.ts';
import { CliError, EXIT, exitForHttp, usage } from '../exit-codes.ts';
import { handlePath } from '../http-client.ts';
import { ACCEPT_SIGNATURE, answerSignatureCheck, type AnswerOptions, type FetchedAnswer } from './verify-answer.ts';
import { fail, type Check } from './verify-check.ts';
import { inclusionHolds, leafProblem, parseAnswerProof, type AnswerProof, type ShownValue } from './verify-proof.ts';
import { defaultStateFile, readState, writeState, type SeenLog } from './verify-state.ts';
import { tileReader } from './verify-tiles.ts';

interface VerifyOptions extends AnswerOptions {
  readonly vkey?: string;
  readonly witnessVkey?: string;
  readonly state?: string;
}

interface AnswerBody {
  readonly handle?: string;
  readonly values?: ShownValue[];
  readonly code?: string;
  readonly message?: string;
}

/** The answer with its proof, signed on request: the bytes kept, since the signature covers them. */
async function fetchAnswer(run: Run, id: string): Promise<{ answer: FetchedAnswer; body: AnswerBody }> {
  const path = `/api/handles/${handlePath(id)}?proof=true`;
  const res = await run.client.request('GET', path, { headers: { 'accept-signature': ACCEPT_SIGNATURE } });
  const bytes = Buffer.from(await res.arrayBuffer());
  let body: AnswerBody = {};
  try {
    body = JSON.parse(bytes.toString('utf8')) as AnswerBody;
  } catch {
    /* not JSON: a proxy's page; the status says what happened */
  }
  if (!res.ok)
    throw new CliError(
      exitForHttp(res.status),
      body.code ?? `HTTP_${String(res.status)}`,
      body.message ?? `the node answered ${String(res.status)}`,
    );
  const request = { method: 'GET', url: `${run.client.url}${path}` };
  return { answer: { status: res.status, headers: res.headers, body: bytes, request }, body };
}

async function logKey(run: Run, o: VerifyOptions, seen: SeenLog | undefined): Promise<{ vkey: string; how: string }> {
  if (o.vkey !== undefined) return { vkey: o.vkey, how: 'given' };
  if (seen) return { vkey: seen.vkey, how: 'remembered' };
  const res = await run.client.request('GET', '/log/vkey');
  if (!res.ok)
    throw new CliError(
      exitForHttp(res.status),
      'CLI_ERR_VERIFY_NO_KEY',
      'the node publishes no log key (/log/vkey); pass --vkey',
    );
  return { vkey: (await res.text()).trim(), how: 'trusted on first use (pin it with --vkey)' };
}

/** The new checkpoint and the one remembered: one must extend the other, checked with a proof from the tiles. */
async function consistencyCheck(run: Run, p: AnswerProof, seen: SeenLog | undefined): Promise<Check> {
  if (!seen) return { check: 'consistency', status: 'skipped', detail: 'first checkpoint seen of this log' };
  const now = p.checkpoint;
  const before = { size: seen.size, root: Buffer.from(seen.root, 'base64') };
  const [small, big] = before.size <= now.size ? [before, now] : [now, before];
  if (big !== now)
    return { check: 'consistency', status: 'skipped', detail: `older than the ${String(seen.size)} seen before` };
  let proof: Buffer[] = [];
  await tileReader(run.client, big.size, (read) => (proof = consistencyProof(small.size, big.size, read)));
  if (!verifyConsistency(small.size, big.size, small.root, big.root, proof)) {
    throw fail(
      'CLI_ERR_VERIFY_INCONSISTENT',
      `the log at ${String(now.size)} does not extend the checkpoint of ${String(seen.size)} seen before: a fork or rewritten history`,
      [],
    );
  }
  return { check: 'consistency', status: 'ok', detail: `${String(small.size)} -> ${String(big.size)}` };
}

async function verify(run: Run, id: string, o: VerifyOptions): Promise<number> {
  const { answer, body } = await fetchAnswer(run, id);
  const proof = parseAnswerProof(answer.headers.get('idnode-tlog-proof') ?? '');
  if (!proof)
    throw fail('CLI_ERR_VERIFY_NO_PROOF', 'the answer carries no idnode-tlog-proof header (is IDNODE_TLOG=on?)', []);
  const stateFile = o.state ?? defaultStateFile();
  const state = readState(stateFile);
  const origin = proof.checkpoint.origin;
  const seen = state[origin];
  const signed = await answerSignatureCheck(run.client, o, seen, answer);
  const checks: Check[] = [signed.check];
  const { vkey, how } = await logKey(run, o, seen);
  const key = parseVkey(vkey);
  if (key?.type !== SIG_ED25519 || key.name !== origin)
    throw usage('CLI_ERR_VERIFY_BAD_KEY', `not an Ed25519 note key for ${origin}: ${vkey}`);
  if (checkNoteSignature(proof.opened, key) !== 'valid')
    throw fail('CLI_ERR_VERIFY_SIGNATURE', `the checkpoint is not signed by ${vkey}`, checks);
  checks.push({ check: 'checkpoint-signature', status: 'ok', detail: `${key.name} (${how})` });
  checks.push(witnessCheck(proof, o.witnessVkey));
  checks.push(leafCheck(proof, id, answer.headers.get('etag'), body, checks));
  if (!inclusionHolds(proof))
    throw fail('CLI_ERR_VERIFY_INCLUSION', 'the inclusion proof does not lead to the checkpoint root', checks);
  checks.push({
    check: 'inclusion',
    status: 'ok',
    detail: `leaf ${String(proof.index)} in ${String(proof.checkpoint.size)}`,
  });
  checks.push(await consistencyCheck(run, proof, seen));
  if (!seen || proof.checkpoint.size >= seen.size) {
    const root = proof.checkpoint.root.toString('base64');
    const answerKeys = signed.keys === undefined ? {} : { answerKeys: signed.keys };
    writeState(stateFile, { ...state, [origin]: { vkey, size: proof.checkpoint.size, root, ...answerKeys } });
  }
  run.out.result(
    { ok: true, handle: body.handle, origin, size: proof.checkpoint.size, index: proof.index, checks },
    () =>
      [
        `${body.handle ?? id}: verified in ${origin} at ${String(proof.checkpoint.size)}`,
        ...checks.map((c) => `  ${c.check.padEnd(21)} ${c.status.padEnd(8)} ${c.detail}`),
      ].join('\n'),
  );
  return EXIT.OK;
}

/** The answer (identifier, version from the ETag, every value shown) is the leaf the proof is for. */
function leafCheck(
  proof: AnswerProof,
  id: string,
  etag: string | null,
  body: AnswerBody,
  checks: readonly Check[],
): Check {
  const version = /^"(\d+)/.exec(etag ?? '')?.[1];
  const problem = leafProblem(
    proof,
    body.handle ?? id,
    version === undefined ? undefined : Number(version),
    body.values ?? [],
  );
  if (problem !== undefined)
    throw fail('CLI_ERR_VERIFY_LEAF', `the answer is not what the log holds: ${problem}`, checks);
  return {
    check: 'leaf',
    status: 'ok',
    detail: `version ${version ?? '?'}, ${String(body.values?.length ?? 0)} values match`,
  };
}

function witnessCheck(p: AnswerProof, witnessVkey: string | undefined): Check {
  const others = p.opened.signatures.length - 1;
  if (witnessVkey === undefined)
    return {
      check: 'witness-cosignature',
      status: 'skipped',
      detail: `${String(others)} other signature(s); pass --witness-vkey to require one`,
    };
  const key = parseVkey(witnessVkey);
  if (key?.type !== SIG_COSIGNATURE_V1)
    throw usage('CLI_ERR_VERIFY_BAD_KEY', `not a cosignature/v1 key: ${witnessVkey}`);
  const c = checkCosignature(p.opened, key);
  if (c.result !== 'valid')
    throw fail('CLI_ERR_VERIFY_WITNESS', `no valid cosignature by ${key.name} (${c.result})`, []);
  return {
    check: 'witness-cosignature',
    status: 'ok',
    detail: `${key.name} at ${new Date((c.time ?? 0) * 1000).toISOString()}`,
  };
}

export function registerVerifyCommand(program: Command): void {
  addGlobals(
    program
      .command('verify <id>')
      .description(
        "check an answer: its RFC 9421 signature, and against the node's transparency log: leaf, inclusion, checkpoint signatures, consistency with the last checkpoint seen",
      )
      .option(
        '--vkey <vkey>',
        "the log's note key (name+id+key); default: remembered, else the node's /log/vkey on first use",
      )
      .option(
        '--witness-vkey <vkey>',
        "require the witness's cosignature (top-level node's key, name+id+base64(0x04||key))",
      )
      .option(
        '--jwks <file>',
        "the node's answer keys (a JWK Set file); default: remembered, else the node's /.well-known/jwks.json on first use",
      )
      .option('--allow-unsigned', 'accept an answer without an RFC 9421 signature (the log proof is still checked)')
      .option(
        '--state <file>',
        'where checkpoints seen are kept (env IDNODE_VERIFY_STATE; default ~/.local/state/idnode/verify.json)',
      ),
  ).action(action(verify));
}
