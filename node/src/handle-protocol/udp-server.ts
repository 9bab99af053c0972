import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { isIP } from 'node:net';
import { WireError } from './bytes.ts';
import type { HandleDispatcher } from './dispatcher.ts';
import { decodeEnvelope, type Envelope } from './message.ts';
import type { HandleMetrics } from './metrics.ts';
import { ENV, ENVELOPE_SIZE, UDP_CHUNK } from './protocol.ts';
import { Reassembly } from './udp-reassembly.ts';

export interface UdpLimits {
  /** Datagrams in one response at most; a longer response is not sent, and the client falls back to TCP. */
  readonly maxResponsePackets: number;
  /** Multi-packet requests being reassembled at once, and how long one may take. */
  readonly maxAssemblies: number;
  readonly assemblyTimeoutMs: number;
}

/**
 * Handle over UDP (research §4.1): datagrams of at most 512 bytes. A longer message, request or
 * response, is split into 492-byte chunks, each with a full envelope, TC set, MessageLength the
 * total and SequenceNumber the chunk index. TC means "fragmented", never "use TCP": a client
 * falls back to TCP only when UDP gives no answer, so a response over the packet limit is dropped.
 */
export function createUdpSocket(
  host: string,
  dispatcher: HandleDispatcher,
  limits: UdpLimits,
  metrics?: HandleMetrics,
): Socket {
  const socket = createSocket({ type: isIP(host) === 6 ? 'udp6' : 'udp4' });
  const assembly = new Reassembly(limits.maxAssemblies, limits.assemblyTimeoutMs);
  const drop = (reason: string) => metrics?.dropped.labels('udp', reason).inc();

  const send = (out: Buffer, to: RemoteInfo) => {
    const message = out.subarray(ENVELOPE_SIZE);
    if (message.length <= UDP_CHUNK) return socket.send(out, to.port, to.address);
    const packets = Math.ceil(message.length / UDP_CHUNK);
    if (packets > limits.maxResponsePackets) return drop('response_too_large');
    for (let i = 0; i < packets; i++) {
      const part = message.subarray(i * UDP_CHUNK, (i + 1) * UDP_CHUNK);
      const d = Buffer.allocUnsafe(ENVELOPE_SIZE + part.length);
      out.copy(d, 0, 0, ENVELOPE_SIZE);
      d[2] = (d[2] ?? 0) | ENV.TC;
      d.writeUInt32BE(i, 12);
      part.copy(d, ENVELOPE_SIZE);
      socket.send(d, to.port, to.address);
    }
  };

  const answer = (env: Envelope, message: Buffer, from: RemoteInfo) => {
    void dispatcher
      .handle(env, message, 'udp', from.address)
      .then((out) => {
        if (out !== undefined) send(out, from);
      })
      .catch(() => drop('failed'));
  };

  socket.on('message', (d: Buffer, from: RemoteInfo) => {
    let env: Envelope;
    try {
      env = decodeEnvelope(d);
    } catch (e) {
      if (!(e instanceof WireError)) throw e;
      return drop('malformed_envelope');
    }
    const payload = d.subarray(ENVELOPE_SIZE);
    const fragmented = (env.flags & ENV.TC) !== 0 || payload.length < env.messageLength;
    if (!fragmented) return answer(env, Buffer.from(payload.subarray(0, env.messageLength)), from);
    const whole = assembly.add(`${from.address}|${from.port}|${env.requestId}`, env, payload);
    if (whole === 'dropped') return drop('reassembly');
    if (whole !== undefined) answer(env, whole, from);
  });
  socket.on('error', () => drop('socket_error'));
  return socket;
}
