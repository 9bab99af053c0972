import { zipSync } from '../../vendor/fflate/browser.js';
import { api, explain, idPath } from '../api.js';
import { fill, h, notice, select } from '../dom.js';
import { prefixesWith } from './rights.js';

/**
 * QR labels from GET /api/qr/{identifier}?format=png|svg&size=N: the resolver URL a product's
 * label carries. Preview, download one, or download all as a .zip (built in the browser with
 * fflate; the node serves the images only).
 */

const FORMATS = [
  { value: 'png', text: 'PNG' },
  { value: 'svg', text: 'SVG' },
];

/** A file name for an identifier: its characters kept where file systems allow them. */
const fileName = (handle, format) => `${handle.replace(/[/\\:*?"<>|]+/g, '_')}.${format}`;

function saveBlob(blob, name) {
  const a = h('a', { href: URL.createObjectURL(blob), download: name });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
}

export const labels = {
  id: 'labels',
  title: 'QR labels',
  group: 'Enterprise',
  shown: (session) => prefixesWith(session, 'list').length > 0 || prefixesWith(session, 'register').length > 0,
  render(main, { session }) {
    const prefixes = [...new Set([...prefixesWith(session, 'list'), ...prefixesWith(session, 'register')])];
    const wanted = new URLSearchParams(location.hash.split('?')[1] ?? '').get('ids');
    const ids = h('textarea', {
      placeholder: `${prefixes[0] ?? '88.100.5'}/BAT-2026-000001\n…`,
      dataset: { field: 'ids' },
    });
    ids.value = wanted ?? '';
    const format = select(FORMATS, 'png', { 'aria-label': 'format', dataset: { field: 'format' } });
    const size = h('input', { type: 'number', min: 64, max: 2048, step: 16, value: 256, dataset: { field: 'size' } });
    const grid = h('div', { className: 'labels', dataset: { test: 'labels' } });
    const status = h('div');
    /** @type {{ handle: string, blob: Blob, format: string }[]} */
    let made = [];

    const handles = () => [
      ...new Set(
        ids.value
          .split(/\r?\n/)
          .map((s) => s.trim())
          .filter(Boolean),
      ),
    ];

    async function preview() {
      fill(status);
      for (const m of grid.querySelectorAll('img')) URL.revokeObjectURL(m.src);
      fill(grid);
      made = [];
      const list = handles();
      if (list.length === 0) return fill(status, notice('bad', 'List one identifier per line.'));
      for (const handle of list) {
        try {
          const blob = await api(`/api/qr/${idPath(handle)}?format=${format.value}&size=${size.value}`, { as: 'blob' });
          const label = { handle, blob, format: format.value };
          made.push(label);
          grid.append(
            h(
              'div',
              { className: 'label-card', dataset: { handle } },
              h('img', { src: URL.createObjectURL(blob), alt: `QR code of ${handle}` }),
              h('div', { className: 'caption' }, handle),
              h(
                'button',
                {
                  type: 'button',
                  className: 'quiet',
                  dataset: { action: 'download' },
                  onclick: () => saveBlob(blob, fileName(handle, label.format)),
                },
                `Download ${label.format.toUpperCase()}`,
              ),
            ),
          );
        } catch (e) {
          grid.append(
            h(
              'div',
              { className: 'label-card' },
              h('div', { className: 'caption' }, handle),
              notice('bad', explain(e)),
            ),
          );
        }
      }
    }

    async function downloadAll() {
      if (made.length === 0) await preview();
      if (made.length === 0) return;
      const files = {};
      for (const m of made) files[fileName(m.handle, m.format)] = new Uint8Array(await m.blob.arrayBuffer());
      // PNG and SVG compress poorly or are tiny: store them, do not deflate.
      saveBlob(new Blob([zipSync(files, { level: 0 })], { type: 'application/zip' }), `qr-labels-${made.length}.zip`);
    }

    async function fromPrefix() {
      try {
        const page = await api(`/api/handles?prefix=${encodeURIComponent(prefixes[0] ?? '')}&pageSize=100`);
        ids.value = page.handles.filter((x) => !/\/ADMIN$/i.test(x)).join('\n');
      } catch (e) {
        fill(status, notice('bad', explain(e)));
      }
    }

    main.append(
      h('h1', null, 'QR labels'),
      h(
        'div',
        { className: 'panel' },
        h('label', { className: 'block' }, 'Identifiers, one per line', ids),
        h(
          'div',
          { className: 'row' },
          h('label', null, 'Format', format),
          h('label', null, 'Size (px)', size),
          h('button', { type: 'button', dataset: { action: 'preview' }, onclick: () => void preview() }, 'Make labels'),
          h(
            'button',
            { type: 'button', className: 'quiet', dataset: { action: 'zip' }, onclick: () => void downloadAll() },
            'Download all (.zip)',
          ),
          prefixes.length
            ? h(
                'button',
                { type: 'button', className: 'quiet', onclick: () => void fromPrefix() },
                `List ${prefixes[0]}`,
              )
            : null,
        ),
        status,
      ),
      h('div', { className: 'panel' }, grid),
    );
    if (wanted) void preview();
    return () => grid.querySelectorAll('img').forEach((m) => URL.revokeObjectURL(m.src));
  },
};
