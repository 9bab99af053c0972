import { createReadStream } from 'node:fs';

/** One input line and where it ends in the file (the byte offset a resume starts from). */
export interface Line {
  /** 1-based line number in the file. */
  readonly no: number;
  readonly text: string;
  /** Byte offset just after this line's newline. */
  readonly end: number;
}

/**
 * The lines of a file from a byte offset, streamed: only one read buffer and one partial line are
 * held, and the caller's awaits pause the reading (backpressure through the async iterator).
 */
export async function* linesFrom(path: string, start: number, firstNo: number): AsyncGenerator<Line> {
  let carry: Buffer = Buffer.alloc(0);
  let offset = start;
  let no = firstNo;
  for await (const chunk of createReadStream(path, { start, highWaterMark: 256 * 1024 })) {
    const buf = carry.length === 0 ? (chunk as Buffer) : Buffer.concat([carry, chunk as Buffer]);
    let from = 0;
    for (let nl = buf.indexOf(10, from); nl !== -1; nl = buf.indexOf(10, from)) {
      const stop = nl > from && buf[nl - 1] === 13 ? nl - 1 : nl;
      offset += nl + 1 - from;
      yield { no: no++, text: buf.toString('utf8', from, stop), end: offset };
      from = nl + 1;
    }
    carry = buf.subarray(from);
  }
  if (carry.length > 0) yield { no, text: carry.toString('utf8'), end: offset + carry.length };
}

/** The first line (a CSV header), read on its own so a resumed import still knows its columns. */
export async function firstLine(path: string): Promise<Line | undefined> {
  for await (const l of linesFrom(path, 0, 1)) return l;
  return undefined;
}
