import type { Identity } from '../auth/identity.ts';
import { HandleRc } from '../errors/codes.ts';
import { IdnError, isIdnError } from '../errors/idn-error.ts';
import type { IdentifierChange } from '../records/change-set.ts';
import { clientPrincipal } from '../write/principal.ts';
import type { RecordService } from '../write/record-service.ts';
import { ByteWriter, WireError } from './bytes.ts';
import type { ChallengeTable } from './challenges.ts';
import type { RequestMessage } from './message.ts';
import { OC, TRANSPORT_RC } from './protocol.ts';
import {
  decodeChallengeAnswer,
  decodeHandleBody,
  decodeRemoveBody,
  decodeValuesBody,
  parseWireHandle,
} from './requests.ts';
import { errorReply } from './resolve-op.ts';
import { errorBody, rawDigest, responseVersion, type Reply } from './respond.ts';
import { toValueInput } from './values.ts';

/** What the client proved in its answer to a challenge (research §5.2); the verifier decides. */
export interface ChallengeProof {
  readonly authType: string;
  readonly keyHandle: string;
  readonly keyIndex: number;
  readonly nonce: Buffer;
  readonly digest: Buffer;
  readonly answer: Buffer;
  /** The client's address (TCP peer, UDP source): the wrong-secret backoff is keyed on it. */
  readonly client: string;
}

/** Checks an answer against the key it names (HS_SECKEY); the identity it proves, or undefined. */
export interface ChallengeVerifier {
  verify(proof: ChallengeProof): Promise<Identity | undefined>;
}

export interface AdminDeps {
  readonly records: RecordService;
  readonly challenges: ChallengeTable;
  readonly verifier: ChallengeVerifier;
  readonly nowSeconds: () => number;
}

/** The change set entry an admin request asks for; values go to RecordService as the client sent them. */
export function changeOf(req: RequestMessage, nowSeconds: number): IdentifierChange {
  const op = req.header.opCode;
  const values = () => {
    const b = decodeValuesBody(req.body);
    return { id: parseWireHandle(b.handle), values: b.values.map((v) => toValueInput(v, nowSeconds)) };
  };
  switch (op) {
    case OC.CREATE_HANDLE:
      return { op: 'create', ...values() };
    case OC.ADD_VALUE:
      return { op: 'upsert-indexes', mode: 'add', ...values() };
    case OC.MODIFY_VALUE:
      return { op: 'upsert-indexes', mode: 'modify', ...values() };
    case OC.REMOVE_VALUE: {
      const b = decodeRemoveBody(req.body);
      return { op: 'remove-indexes', id: parseWireHandle(b.handle), indexes: b.indexes };
    }
    case OC.DELETE_HANDLE:
      return { op: 'delete', id: parseWireHandle(decodeHandleBody(req.body)) };
    default:
      throw new WireError(`opcode ${op} is not an administration request`);
  }
}

/**
 * An administration request without a session: parse it (a malformed one is refused now, not
 * after the challenge), then challenge (RC 402, RD forced, a fresh session id, nonce as body).
 */
export function challengeOp(deps: AdminDeps, req: RequestMessage): Reply {
  try {
    changeOf(req, deps.nowSeconds());
  } catch (e) {
    if (isIdnError(e)) return errorReply(e);
    throw e;
  }
  const version = responseVersion(req);
  const { sessionId, nonce } = deps.challenges.open(req, rawDigest(version, req.signed), version);
  return {
    rc: HandleRc.AUTHENTICATION_NEEDED,
    body: new ByteWriter(24).bytes(nonce).done(),
    sessionId,
    forceDigest: true,
  };
}

/**
 * OC_RESPONSE_TO_CHALLENGE: find the pending challenge by session id (405 when unknown or
 * expired), verify the answer, then run the original request as that identity through
 * RecordService. The reply carries the original opcode, the answer's request id and, when the
 * original asked for it, the original's digest (as HANDLE.NET 9 servers do).
 */
export async function answerOp(deps: AdminDeps, req: RequestMessage, client: string): Promise<Reply> {
  const pending = deps.challenges.take(req.envelope.sessionId);
  if (pending === undefined) {
    return { rc: TRANSPORT_RC.AUTHEN_TIMEOUT, body: errorBody('No pending challenge for this session (expired?).') };
  }
  const original = { opCode: pending.request.header.opCode, digestOf: pending.request };
  const answer = decodeChallengeAnswer(req.body);
  try {
    const identity = await deps.verifier.verify({ ...answer, nonce: pending.nonce, digest: pending.digest, client });
    if (identity === undefined) return { ...errorReply(new IdnError('IDN_ERR_CHALLENGE_FAILED')), ...original };
    const change = changeOf(pending.request, deps.nowSeconds());
    const result = await deps.records.apply(
      { changes: [change], reason: 'handle protocol' },
      clientPrincipal(identity),
    );
    const handle = result.changes[0]?.record.handle ?? change.id.handle;
    const body = original.opCode === OC.CREATE_HANDLE ? new ByteWriter(64).utf8(handle).done() : Buffer.alloc(0);
    return { rc: HandleRc.SUCCESS, body, ...original };
  } catch (e) {
    if (isIdnError(e)) return { ...errorReply(e), ...original };
    throw e;
  }
}
