import type { FastifyBaseLogger } from 'fastify';

/**
 * The logger handed to fastify, so that `request.log` is fastify's own logger (no bindings) without
 * a custom `childLoggerFactory`: with one, fastify validates the logger it returns on every request
 * (an array of seven method names filtered, a closure), work a cache hit paid for nothing.
 *
 * fastify makes its logger once as `loggerInstance.child({}, {serializers})` (its serializers for
 * req, res and err); that child's own `child()` returns itself, so fastify's default per-request
 * factory (`logger.child({reqId}, {})`, left unvalidated) creates no pino child. Request lines carry
 * no request id, as before; a line that needs one names it as a field.
 */
export function requestLogger(root: FastifyBaseLogger): FastifyBaseLogger {
  const once: FastifyBaseLogger['child'] = (bindings, options) => {
    const made = root.child(bindings, options);
    Object.defineProperty(made, 'child', { value: () => made });
    return made;
  };
  return Object.create(root, { child: { value: once } }) as FastifyBaseLogger;
}
