import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { READS_FILE, type ReadAudit } from './audit-log.ts';

/**
 * Reads the read audit back, newest first, for an admin's own identifiers (GET
 * /api/admin/prefixes/{prefix}/audit/reads). The file is read backwards in chunks from an offset,
 * so a page costs what it shows plus what the filter skipped, bounded per call; `next` is the
 * byte offset to continue from. Only `reads.log` is read: rotated files are the operator's.
 */

export interface ReadAuditLine extends ReadAudit {
  readonly time: string;
}

export interface ReadAuditPage {
  readonly entries: readonly ReadAuditLine[];
  /** Pass as `before` for older entries; absent when the file's start was reached. */
  readonly next?: number;
}

const CHUNK = 64 * 1024;
/** Bytes examined per call at most, so a filter that matches nothing cannot read a huge file in one request. */
const SCAN_BUDGET = 32 * 1024 * 1024;

function parse(line: string): ReadAuditLine | undefined {
  try {
    const o = JSON.parse(line) as Partial<ReadAuditLine> & { kind?: string };
    return o.kind === 'read' && typeof o.identifier === 'string' ? (o as ReadAuditLine) : undefined;
  } catch {
    return undefined;
  }
}

export async function recentReads(
  dir: string,
  accept: (e: ReadAuditLine) => boolean,
  page: { readonly limit: number; readonly before?: number },
): Promise<ReadAuditPage> {
  let file;
  try {
    file = await open(join(dir, READS_FILE), 'r');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { entries: [] };
    throw e;
  }
  try {
    const size = (await file.stat()).size;
    let end = Math.min(page.before ?? size, size);
    const entries: ReadAuditLine[] = [];
    // Bytes before `end` not yet split into lines (the head of a line that started in an earlier chunk).
    let carry = Buffer.alloc(0);
    let scanned = 0;
    while (end > 0 && entries.length < page.limit && scanned < SCAN_BUDGET) {
      const start = Math.max(0, end - CHUNK);
      const chunk = Buffer.alloc(end - start);
      await file.read(chunk, 0, chunk.length, start);
      scanned += chunk.length;
      let buf = Buffer.concat([chunk, carry]);
      // Lines end with \n; the first piece may be cut (unless this chunk starts the file).
      let nl = buf.lastIndexOf(0x0a, buf.length - 2);
      let lineEnd = buf.length;
      while (nl >= 0 && entries.length < page.limit) {
        const e = parse(buf.subarray(nl + 1, lineEnd).toString('utf8'));
        if (e !== undefined && accept(e)) entries.push(e);
        lineEnd = nl;
        nl = buf.lastIndexOf(0x0a, nl - 1);
      }
      if (entries.length >= page.limit) return { entries, next: start + lineEnd };
      buf = buf.subarray(0, lineEnd);
      if (start === 0) {
        const e = buf.length > 0 ? parse(buf.toString('utf8')) : undefined;
        if (e !== undefined && accept(e)) entries.push(e);
        return { entries };
      }
      carry = Buffer.from(buf);
      end = start;
    }
    return end > 0 ? { entries, next: end + carry.length } : { entries };
  } finally {
    await file.close();
  }
}
