import { HandleRc } from '../errors/codes.ts';
import { IdnError } from '../errors/idn-error.ts';
import type { ResolutionService } from '../resolve/resolution-service.ts';
import { answerOp, challengeOp, type AdminDeps } from './admin-op.ts';
import { WireError } from './bytes.ts';
import { decodeMessage, type Envelope, type RequestMessage } from './message.ts';
import type { HandleMetrics, Transport } from './metrics.ts';
import { ADMIN_OPCODES, ENV, HEADER_SIZE, OC, opcodeLabel } from './protocol.ts';
import { resolveOp } from './resolve-op.ts';
import { encodeReply, errorBody, type Reply } from './respond.ts';

export interface DispatcherDeps {
  readonly resolution: ResolutionService;
  readonly admin: AdminDeps;
  /** This node's HS_SITE value (site-info.ts), the GET_SITE_INFO answer (known once the port is bound). */
  readonly siteInfo: () => Buffer;
  readonly siteSerial: number;
  readonly metrics?: HandleMetrics;
  readonly nowSeconds: () => number;
}

/** A message that does not parse: the table's IDN_ERR_HANDLE_PROTOCOL (RC 4), saying what was wrong. */
const protocolError = (message: string): Reply => {
  const e = new IdnError('IDN_ERR_HANDLE_PROTOCOL', `Malformed message: ${message}.`);
  return { rc: e.spec.rc, body: errorBody(e.message) };
};

/** A header too short to read still gets an answer: its opcode if 4 bytes are there, else 0. */
function stubRequest(envelope: Envelope, message: Buffer): RequestMessage {
  const opCode = message.length >= 4 ? message.readUInt32BE(0) : 0;
  const header = {
    opCode,
    responseCode: 0,
    opFlags: 0,
    siteSerial: 0,
    recursionCount: 0,
    expiration: 0,
    bodyLength: 0,
  };
  return { envelope, header, body: Buffer.alloc(0), signed: Buffer.alloc(HEADER_SIZE) };
}

/**
 * One Handle message in, one response out: the transports (tcp-server.ts, udp-server.ts) frame
 * bytes, this picks the operation, and the operations call the services. Every failure is an
 * answer from the error table, or the protocol's own (4 malformed, 5 not supported); nothing throws.
 */
export class HandleDispatcher {
  private readonly deps: DispatcherDeps;

  constructor(deps: DispatcherDeps) {
    this.deps = deps;
  }

  /** The response bytes (envelope included), or undefined when the message is a response (never answered). */
  async handle(
    envelope: Envelope,
    message: Buffer,
    transport: Transport,
    client = 'unknown',
  ): Promise<Buffer | undefined> {
    let req: RequestMessage;
    let reply: Reply;
    try {
      req = decodeMessage(envelope, message);
      if (req.header.responseCode !== 0) {
        this.deps.metrics?.dropped.labels(transport, 'response').inc();
        return undefined;
      }
      reply = await this.operate(req, client);
    } catch (e) {
      req ??= stubRequest(envelope, message);
      reply =
        e instanceof WireError ? protocolError(e.message) : { rc: HandleRc.ERROR, body: errorBody('Internal error.') };
    }
    this.deps.metrics?.answered(opcodeLabel(reply.opCode ?? req.header.opCode), transport, reply.rc);
    return encodeReply(req, reply, this.deps.siteSerial, this.deps.nowSeconds());
  }

  private async operate(req: RequestMessage, client: string): Promise<Reply> {
    if ((req.envelope.flags & (ENV.CP | ENV.EC)) !== 0) {
      return { rc: HandleRc.OPERATION_DENIED, body: errorBody('Compressed or encrypted messages are not supported.') };
    }
    const op = req.header.opCode;
    if (op === OC.RESOLUTION) return resolveOp(this.deps.resolution, req);
    if (op === OC.GET_SITE_INFO) return { rc: HandleRc.SUCCESS, body: this.deps.siteInfo() };
    if (ADMIN_OPCODES.has(op)) return challengeOp(this.deps.admin, req);
    if (op === OC.RESPONSE_TO_CHALLENGE) return answerOp(this.deps.admin, req, client);
    return { rc: HandleRc.OPERATION_DENIED, body: errorBody(`Operation ${op} is not supported by this server.`) };
  }
}
