import { api, explain } from '../api.js';
import { parseImport } from '../csv.js';
import { fill, h, notice, num, select, table } from '../dom.js';
import { prefixesWith } from './rights.js';

/**
 * Bulk import through the NDJSON batch API (POST /api/admin/prefixes/{prefix}/identifiers:batch),
 * in chunks, reading the streamed per-line results as they come: the progress bar moves with the
 * node's answers, and every refused line is reported with its line number, code and message.
 * Each line carries its own idempotency key, so importing the same file again replays instead of
 * registering twice.
 */

const CHUNK = 500;

/** Reads an NDJSON response stream line by line. */
async function* resultLines(res) {
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  let buf = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buf += decoder.decode(value, { stream: true });
    let nl;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      if (line.trim()) yield JSON.parse(line);
    }
  }
  if (buf.trim()) yield JSON.parse(buf);
}

async function fileKey(file) {
  const digest = await crypto.subtle.digest('SHA-256', await file.arrayBuffer());
  return [...new Uint8Array(digest).slice(0, 12)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

export const importer = {
  id: 'import',
  title: 'Import',
  group: 'Enterprise',
  shown: (session) => prefixesWith(session, 'register').length > 0,
  render(main, { session }) {
    const prefixes = prefixesWith(session, 'register');
    const prefix = select(
      prefixes.map((p) => ({ value: p, text: p })),
      prefixes[0],
      { 'aria-label': 'prefix' },
    );
    const file = h('input', { type: 'file', accept: '.csv,.ndjson,.jsonl', dataset: { field: 'file' } });
    const progress = h('progress', { max: 1, value: 0, dataset: { test: 'import-progress' } });
    const counts = h('p', { className: 'muted', dataset: { test: 'import-counts' } });
    const report = h('div', { dataset: { test: 'import-errors' } });
    const start = h('button', { type: 'button', dataset: { action: 'import' } }, 'Import');
    const status = h('div');

    async function run() {
      fill(status);
      fill(report);
      const f = file.files?.[0];
      if (!f) return fill(status, notice('bad', 'Choose a CSV or NDJSON file first.'));
      const parsed = parseImport(await f.text(), f.name, prefix.value);
      if (parsed.fatal) return fill(status, notice('bad', parsed.fatal));
      const lines = parsed.lines;
      const key = await fileKey(f);
      const failed = lines
        .filter((l) => l.error)
        .map((l) => ({ line: l.line, code: l.error.code, message: l.error.message }));
      const good = lines.filter((l) => l.item);
      let done = failed.length;
      let imported = 0;
      let replayed = 0;
      progress.max = Math.max(1, lines.length);
      const show = () => {
        progress.value = done;
        fill(
          counts,
          `${num(done, 0)} of ${num(lines.length, 0)} lines: ${num(imported, 0)} registered (${num(replayed, 0)} already were), ${num(failed.length, 0)} refused.`,
        );
      };
      show();
      start.disabled = true;
      try {
        for (let i = 0; i < good.length; i += CHUNK) {
          const chunk = good.slice(i, i + CHUNK);
          const body =
            chunk.map((l) => JSON.stringify({ ...l.item, idempotencyKey: `console-${key}:${l.line}` })).join('\n') +
            '\n';
          const res = await api(`/api/admin/prefixes/${encodeURIComponent(prefix.value)}/identifiers:batch`, {
            method: 'POST',
            body,
            headers: { 'content-type': 'application/x-ndjson' },
            as: 'response',
          });
          for await (const r of resultLines(res)) {
            if (r.fatal) throw new Error(`${r.message} (${r.code})`);
            const source = chunk[r.position];
            done += 1;
            if (r.ok) {
              imported += 1;
              if (r.replayed) replayed += 1;
            } else
              failed.push({ line: source?.line ?? '?', suffix: source?.item.suffix, code: r.code, message: r.message });
            show();
          }
        }
        fill(
          status,
          notice(
            failed.length ? 'bad' : 'good',
            failed.length ? `Done: ${failed.length} line(s) refused, see below.` : 'Done: every line registered.',
          ),
        );
      } catch (e) {
        fill(
          status,
          notice('bad', `The import stopped: ${explain(e)}. Importing the same file again resumes without duplicates.`),
        );
      } finally {
        start.disabled = false;
      }
      failed.sort((a, b) => a.line - b.line);
      const download = () => {
        const blob = new Blob([failed.map((x) => JSON.stringify(x)).join('\n') + '\n'], {
          type: 'application/x-ndjson',
        });
        const a = h('a', { href: URL.createObjectURL(blob), download: `${f.name}.errors.ndjson` });
        a.click();
        setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
      };
      fill(
        report,
        failed.length
          ? [
              h('h2', null, 'Refused lines'),
              table(
                [h('th', { className: 'num' }, 'line'), 'suffix', 'code', 'message'],
                failed.map((x) =>
                  h(
                    'tr',
                    { dataset: { line: String(x.line) } },
                    h('td', { className: 'num' }, String(x.line)),
                    h('td', null, x.suffix ?? ''),
                    h('td', null, h('code', null, x.code)),
                    h('td', null, x.message),
                  ),
                ),
              ),
              h(
                'p',
                null,
                h(
                  'button',
                  { type: 'button', className: 'quiet', onclick: download },
                  'Download the error report (.ndjson)',
                ),
              ),
            ]
          : null,
      );
    }

    start.addEventListener('click', () => void run());
    main.append(
      h('h1', null, 'Bulk import'),
      h(
        'div',
        { className: 'panel' },
        h(
          'p',
          { className: 'muted' },
          'CSV: a header suffix,url[,EMAIL,…] — url becomes value 1, further columns values 2, 3, … of that type. NDJSON: one {"suffix": …, "values": [...]} per line. The same rules as idnode import.',
        ),
        h('div', { className: 'row' }, h('label', null, 'Prefix', prefix), h('label', null, 'File', file), start),
        progress,
        counts,
        status,
      ),
      h('div', { className: 'panel' }, report),
    );
  },
};
