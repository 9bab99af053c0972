import { api, explain } from '../api.js';
import { fill, h, notice, select, table } from '../dom.js';
import { prefixesWith } from './rights.js';

/**
 * Who read the restricted passport data of the enterprise's identifiers: the read audit
 * (GET /api/admin/prefixes/{prefix}/audit/reads), newest first. The audit names readers and
 * values, never the values' data.
 */

const reader = (e) =>
  h(
    'td',
    null,
    h('strong', null, e.subject ?? (e.via === 'admin' ? 'an admin' : e.via)),
    h('div', { className: 'muted' }, [e.via, e.tier, e.issuer].filter(Boolean).join(' · ')),
  );

export const audit = {
  id: 'audit',
  title: 'Audit',
  group: 'Enterprise',
  shown: (session) => prefixesWith(session, 'audit').length > 0,
  render(main, { session }) {
    const prefixes = prefixesWith(session, 'audit');
    const prefix = select(
      prefixes.map((p) => ({ value: p, text: p })),
      prefixes[0],
      { 'aria-label': 'prefix' },
    );
    const list = h('div');
    const more = h('div');
    let next;

    const row = (e) =>
      h(
        'tr',
        null,
        h('td', null, new Date(e.time).toLocaleString()),
        h(
          'td',
          null,
          h('code', null, e.identifier),
          e.answeredBy ? h('div', { className: 'muted' }, `answered by ${e.answeredBy}`) : null,
        ),
        reader(e),
        h('td', null, e.purpose ?? '—'),
        h('td', null, e.route),
        h('td', null, e.values.map((v) => `#${v.index} ${v.type} (${v.access})`).join(', ')),
      );

    async function load(reset) {
      const q = new URLSearchParams({ limit: '100', ...(reset || next === undefined ? {} : { before: String(next) }) });
      try {
        const page = await api(`/api/admin/prefixes/${encodeURIComponent(prefix.value)}/audit/reads?${q}`);
        if (!page.audited)
          return fill(list, notice('', 'This node keeps no audit trail (it runs without a data directory).'));
        const rows = page.entries.map(row);
        if (reset) {
          fill(
            list,
            rows.length
              ? table(['time', 'identifier', 'reader', 'purpose', 'route', 'values shown'], rows, {
                  dataset: { test: 'audit' },
                })
              : h('p', { className: 'muted' }, 'No non-public reads yet.'),
          );
        } else list.querySelector('tbody')?.append(...rows);
        next = page.next;
        fill(
          more,
          next !== undefined
            ? h('button', { type: 'button', className: 'quiet', onclick: () => load(false) }, 'Older')
            : null,
        );
      } catch (e) {
        fill(list, notice('bad', explain(e)));
      }
    }

    prefix.addEventListener('change', () => void load(true));
    main.append(
      h('h1', null, 'Non-public reads'),
      h(
        'div',
        { className: 'panel' },
        h(
          'div',
          { className: 'row' },
          h('label', null, 'Prefix', prefix),
          h('button', { type: 'button', className: 'quiet', onclick: () => load(true) }, 'Refresh'),
        ),
        list,
        more,
      ),
    );
    void load(true);
  },
};
