import { IdnError } from '../errors/idn-error.ts';
import type { ParsedIdentifier } from '../identifier/index.ts';
import { HandleWriter } from '../write/handle-writer.ts';

/** A caching node keeps nothing durable: every write is refused, naming where writes belong. */
export class CachingNodeWriter extends HandleWriter {
  readonly #upstream: string;

  constructor(...args: [...ConstructorParameters<typeof HandleWriter>, upstream: string]) {
    const [store, homed, upstream] = args;
    super(store, homed);
    this.#upstream = upstream;
  }

  override write(id: ParsedIdentifier): ReturnType<HandleWriter['write']> {
    return Promise.reject(
      new IdnError(
        'IDN_ERR_NOT_RESPONSIBLE',
        `This is a caching node: it takes no writes. Write ${id.handle} at the node that homes ${id.prefix} (ask upstream ${this.#upstream}).`,
        { prefix: id.prefix, upstream: this.#upstream },
      ),
    );
  }
}
