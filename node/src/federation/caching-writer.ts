import { IdnError } from '../errors/idn-error.ts';
import type { ParsedIdentifier } from '../identifier/index.ts';

/**
 * A caching node keeps nothing durable from clients: its RecordService refuses every client write
 * (RecordServiceOptions.refuseClientWrite) with this error, naming where writes belong.
 */
export const cachingNodeRefusal =
  (upstream: string) =>
  (id: ParsedIdentifier): IdnError =>
    new IdnError(
      'IDN_ERR_NOT_RESPONSIBLE',
      `This is a caching node: it takes no writes. Write ${id.handle} at the node that homes ${id.prefix} (ask upstream ${upstream}).`,
      { prefix: id.prefix, upstream },
    );
