import { api, explain } from '../api.js';
import { fill, h, notice, select, table } from '../dom.js';
import { recordEditor } from './record-editor.js';
import { prefixesWith } from './rights.js';

/**
 * Enterprises: their identifiers (GET /api/handles?prefix=&startsWith=, paged), and the record
 * form to create or edit one.
 */

export const records = {
  id: 'records',
  title: 'Identifiers',
  group: 'Enterprise',
  shown: (session) => prefixesWith(session, 'list').length > 0 || prefixesWith(session, 'register').length > 0,
  render(main, { session }) {
    const prefixes = [...new Set([...prefixesWith(session, 'list'), ...prefixesWith(session, 'register')])];
    const prefix = select(
      prefixes.map((p) => ({ value: p, text: p })),
      prefixes[0],
      { 'aria-label': 'prefix' },
    );
    const search = h('input', { type: 'search', placeholder: 'suffix starts with…', dataset: { field: 'search' } });
    const list = h('div');
    const more = h('div');
    const editor = h('div', { className: 'panel', hidden: true, dataset: { test: 'editor' } });
    let cursor;

    const open = async (handle) => {
      editor.hidden = false;
      fill(editor, h('p', { className: 'muted' }, 'Loading…'));
      try {
        await recordEditor(editor, { prefix: prefix.value, handle, onSaved: () => void load(true) });
      } catch (e) {
        fill(editor, notice('bad', explain(e)));
      }
      editor.scrollIntoView({ block: 'start' });
    };

    const row = (handle) =>
      h(
        'tr',
        { dataset: { handle } },
        h('td', null, h('code', null, handle)),
        h(
          'td',
          null,
          h('button', { type: 'button', className: 'quiet', onclick: () => open(handle) }, 'Edit'),
          ' ',
          h(
            'a',
            { className: 'button quiet', href: `/${handle}?noredirect`, target: '_blank', rel: 'noopener' },
            'Page',
          ),
          ' ',
          h('a', { className: 'button quiet', href: `#/labels?ids=${encodeURIComponent(handle)}` }, 'QR label'),
        ),
      );

    async function load(reset) {
      if (reset) cursor = undefined;
      const q = new URLSearchParams({ prefix: prefix.value, pageSize: '50' });
      if (search.value.trim()) q.set('startsWith', search.value.trim());
      if (cursor) q.set('cursor', cursor);
      try {
        const page = await api(`/api/handles?${q}`);
        // The prefix's own admin record is listed too; it is not a product.
        const handles = page.handles.filter((x) => !/\/ADMIN$/i.test(x));
        if (reset)
          fill(
            list,
            handles.length
              ? table(['identifier', ''], handles.map(row), { dataset: { test: 'identifiers' } })
              : h('p', { className: 'muted' }, 'No identifiers match.'),
          );
        else list.querySelector('tbody')?.append(...handles.map(row));
        cursor = page.next;
        fill(
          more,
          cursor ? h('button', { type: 'button', className: 'quiet', onclick: () => load(false) }, 'More') : null,
        );
      } catch (e) {
        fill(list, notice('bad', explain(e)));
      }
    }

    main.append(
      h('h1', null, 'Identifiers'),
      h(
        'div',
        { className: 'panel' },
        h(
          'form',
          { className: 'row', onsubmit: (e) => (e.preventDefault(), void load(true)) },
          h('label', null, 'Prefix', prefix),
          h('label', null, 'Search', search),
          h('button', { type: 'submit', className: 'quiet' }, 'Search'),
          h('span', { className: 'spacer' }),
          h(
            'button',
            { type: 'button', dataset: { action: 'new-record' }, onclick: () => open(undefined) },
            'New record',
          ),
        ),
      ),
      // The form above the list: a long list must not push it out of sight.
      editor,
      h('div', { className: 'panel' }, list, more),
    );
    prefix.addEventListener('change', () => void load(true));
    void load(true);
  },
};
