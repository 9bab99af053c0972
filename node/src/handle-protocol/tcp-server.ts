import { createServer, type Server, type Socket } from 'node:net';
import { WireError } from './bytes.ts';
import type { HandleDispatcher } from './dispatcher.ts';
import { decodeEnvelope } from './message.ts';
import type { HandleMetrics } from './metrics.ts';
import { ENVELOPE_SIZE } from './protocol.ts';

export interface TcpLimits {
  /** Open connections at most; further ones are closed at once. */
  readonly maxConnections: number;
  /** A connection idle this long is closed (pooled SDK connections send a heartbeat before). */
  readonly idleTimeoutMs: number;
  /** Requests of one connection answered at once; reading pauses beyond (pipelined SDK requests). */
  readonly maxInFlight: number;
}

/**
 * Handle over TCP (RFC 3652 §2.3; research §4.2): each message is an envelope then MessageLength
 * bytes. Connections stay open (the id-pointer SDK pools them and pipelines requests, matched by
 * RequestId; CNRI sends one request per connection and waits). TC is never set on TCP.
 */
export function createTcpServer(
  dispatcher: HandleDispatcher,
  limits: TcpLimits,
  metrics?: HandleMetrics,
): { server: Server; destroyAll: () => void } {
  const server = createServer({ noDelay: true });
  const open = new Set<Socket>();
  server.maxConnections = limits.maxConnections;
  server.on('drop', () => metrics?.dropped.labels('tcp', 'too_many_connections').inc());
  server.on('connection', (socket) => {
    open.add(socket);
    socket.on('close', () => open.delete(socket));
    serveConnection(socket, dispatcher, limits, metrics);
  });
  // Pooled clients never close: shutting down ends their connections.
  return { server, destroyAll: () => open.forEach((s) => s.destroy()) };
}

function serveConnection(socket: Socket, dispatcher: HandleDispatcher, limits: TcpLimits, metrics?: HandleMetrics) {
  metrics?.connections.inc();
  socket.setTimeout(limits.idleTimeoutMs, () => socket.destroy());
  socket.on('error', () => socket.destroy());
  socket.on('close', () => metrics?.connections.dec());
  let pending: Buffer = Buffer.alloc(0);
  let inFlight = 0;

  const answer = (env: ReturnType<typeof decodeEnvelope>, message: Buffer) => {
    inFlight++;
    if (inFlight >= limits.maxInFlight) socket.pause();
    void dispatcher
      .handle(env, message, 'tcp', socket.remoteAddress)
      .catch(() => (metrics?.dropped.labels('tcp', 'failed').inc(), undefined))
      .then((out) => {
        inFlight--;
        if (out !== undefined && !socket.destroyed) socket.write(out);
        if (inFlight < limits.maxInFlight && !socket.destroyed) socket.resume();
      });
  };

  socket.on('data', (chunk: Buffer) => {
    pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
    while (pending.length >= ENVELOPE_SIZE) {
      let env;
      try {
        env = decodeEnvelope(pending);
      } catch (e) {
        // A length out of range: the stream cannot be framed any further.
        if (!(e instanceof WireError)) throw e;
        metrics?.dropped.labels('tcp', 'malformed_envelope').inc();
        socket.destroy();
        return;
      }
      const end = ENVELOPE_SIZE + env.messageLength;
      if (pending.length < end) break;
      // A copy: the handler may outlive this chunk (pending challenges keep the request).
      answer(env, Buffer.from(pending.subarray(ENVELOPE_SIZE, end)));
      pending = pending.subarray(end);
    }
  });
}
