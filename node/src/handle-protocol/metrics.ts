import { Counter, Gauge, type Registry } from 'prom-client';

/** `idnode_handle_*`: bounded labels only (opcode names, transport, response code; never a handle). */
export type Transport = 'tcp' | 'udp';

export class HandleMetrics {
  readonly requests: Counter<'opcode' | 'transport' | 'rc'>;
  readonly dropped: Counter<'transport' | 'reason'>;
  readonly connections: Gauge;
  /** opcode|transport|rc -> child: no label lookup per request after the first. */
  private readonly children = new Map<string, Counter.Internal>();

  constructor(registry: Registry) {
    const registers = [registry];
    this.requests = new Counter({
      name: 'idnode_handle_requests_total',
      help: 'Handle protocol requests answered, by opcode, transport and Handle response code.',
      labelNames: ['opcode', 'transport', 'rc'] as const,
      registers,
    });
    this.dropped = new Counter({
      name: 'idnode_handle_dropped_total',
      help: 'Handle protocol input dropped unanswered, by transport and reason.',
      labelNames: ['transport', 'reason'] as const,
      registers,
    });
    this.connections = new Gauge({
      name: 'idnode_handle_tcp_connections',
      help: 'Open Handle protocol TCP connections.',
      registers,
    });
  }

  answered(opcode: string, transport: Transport, rc: number): void {
    const key = `${opcode}|${transport}|${rc}`;
    let c = this.children.get(key);
    if (c === undefined) this.children.set(key, (c = this.requests.labels(opcode, transport, String(rc))));
    c.inc();
  }
}
