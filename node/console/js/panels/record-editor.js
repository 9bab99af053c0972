import { api, explain, recordPath } from '../api.js';
import { fill, h, notice, select } from '../dom.js';

/**
 * The record form: URL, EMAIL, KIND and LINK values (link type from the node's vocabulary in
 * /.well-known/gs1resolver, languages, media type, default, access tier). Saving is the API's
 * PUT (a new record: ?overwrite=false; an existing one: ?index= for the edited values, DELETE
 * ?index= for removed ones), so values the form does not edit (HS_ADMIN, ...) stay as they are.
 */

const TIERS = ['public', 'legitimate-interest', 'authority'].map((t) => ({ value: t, text: t }));
const KINDS = ['product', 'batch', 'model', 'enterprise', 'park'].map((k) => ({ value: k, text: k }));
const EDITABLE = new Set(['URL', 'EMAIL', 'KIND', 'LINK']);
const OTHER_IRI = '__iri__';

let vocabulary;
async function linkTypes() {
  vocabulary ??= api('/.well-known/gs1resolver').then((d) => d.linkTypes);
  return vocabulary;
}

const field = (label, input) => h('label', null, label, input);

/** One editable value: its inputs and how to read them back into an API value. */
function valueRow(v, types, onRemove, onDefault) {
  const access = select(TIERS, v.access ?? 'public', { 'aria-label': 'access tier', dataset: { field: 'access' } });
  const data = v.data?.value;
  let body;
  let read;
  let defaultBox;
  if (v.type === 'LINK') {
    const link = typeof data === 'object' && data !== null ? data : {};
    const known = types.some((t) => t.curie === link.linkType);
    const picker = select(
      [
        ...types.map((t) => ({ value: t.curie, text: `${t.curie} — ${t.title}` })),
        { value: OTHER_IRI, text: 'Other (an absolute IRI)…' },
      ],
      link.linkType === undefined ? 'gs1:dpp' : known ? link.linkType : OTHER_IRI,
      { dataset: { field: 'linkType' } },
    );
    const iri = h('input', {
      placeholder: 'https://example.com/voc/type',
      value: known ? '' : (link.linkType ?? ''),
      hidden: known || link.linkType === undefined,
    });
    picker.addEventListener('change', () => (iri.hidden = picker.value !== OTHER_IRI));
    const href = h('input', {
      type: 'url',
      required: true,
      placeholder: 'https://…',
      value: link.href ?? '',
      size: 40,
      dataset: { field: 'href' },
    });
    const title = h('input', { required: true, value: link.title ?? '', size: 28, dataset: { field: 'title' } });
    const media = h('input', {
      placeholder: 'text/html',
      value: link.type ?? '',
      size: 14,
      dataset: { field: 'type' },
    });
    const langs = h('input', {
      placeholder: 'en, de, zh-Hans',
      value: (link.hreflang ?? []).join(', '),
      size: 14,
      dataset: { field: 'hreflang' },
    });
    const context = h('input', { placeholder: 'EU', value: link.context ?? '', size: 8 });
    const version = h('input', { value: link.version ?? '', size: 5 });
    const isDefault = h('input', { type: 'checkbox', checked: link.default === true, dataset: { field: 'default' } });
    isDefault.addEventListener('change', () => isDefault.checked && onDefault(isDefault));
    body = [
      h('div', { className: 'row' }, field('Link type', picker), iri, field('Title', title)),
      h(
        'div',
        { className: 'row' },
        field('Target URL', href),
        field('Media type', media),
        field('Languages (BCP 47)', langs),
        field('Context', context),
        field('Version', version),
        h('label', { className: 'inline' }, isDefault, 'default link'),
      ),
    ];
    read = () => {
      const value = {
        linkType: picker.value === OTHER_IRI ? iri.value.trim() : picker.value,
        href: href.value.trim(),
        title: title.value.trim(),
      };
      const tags = langs.value.split(/[\s,]+/).filter(Boolean);
      if (media.value.trim()) value.type = media.value.trim();
      if (tags.length) value.hreflang = tags;
      if (context.value.trim()) value.context = context.value.trim();
      if (version.value.trim()) value.version = version.value.trim();
      if (isDefault.checked) value.default = true;
      if (link.superseded === true) value.superseded = true;
      return { format: 'json', value };
    };
    defaultBox = isDefault;
  } else if (v.type === 'KIND') {
    const kind = select(KINDS, typeof data === 'string' ? data : 'product', { dataset: { field: 'kind' } });
    body = [h('div', { className: 'row' }, field('Kind', kind))];
    read = () => ({ format: 'string', value: kind.value });
  } else {
    const input = h('input', {
      type: v.type === 'URL' ? 'url' : 'text',
      value: typeof data === 'string' ? data : '',
      size: 50,
      required: true,
      dataset: { field: 'value' },
    });
    body = [h('div', { className: 'row' }, field(v.type === 'URL' ? 'URL' : 'E-mail address', input))];
    read = () => ({ format: 'string', value: input.value.trim() });
  }
  const el = h(
    'div',
    { className: 'value-row', dataset: { index: String(v.index), type: v.type } },
    h(
      'div',
      { className: 'head' },
      `#${v.index} ${v.type}`,
      h('span', { className: 'spacer' }),
      field('Access', access),
      h(
        'button',
        { type: 'button', className: 'quiet', onclick: () => onRemove(), 'aria-label': `Remove value ${v.index}` },
        'Remove',
      ),
    ),
    body,
  );
  return {
    el,
    index: v.index,
    type: v.type,
    isDefault: defaultBox,
    toValue: () => ({ index: v.index, type: v.type, data: read(), access: access.value }),
  };
}

/**
 * Renders the editor into `container`. `handle` undefined: a new record under `prefix`.
 * `onSaved(handle)` after a successful save.
 */
export async function recordEditor(container, { prefix, handle, onSaved }) {
  const types = await linkTypes();
  let record = { values: [] };
  if (handle !== undefined) record = await api(recordPath(handle));
  const kept = record.values.filter((v) => !EDITABLE.has(v.type));
  const existing = new Set(record.values.filter((v) => EDITABLE.has(v.type)).map((v) => v.index));
  const rows = [];
  const list = h('div');
  const status = h('div', { dataset: { test: 'editor-status' } });
  const suffix = h('input', { placeholder: 'BAT-2026-000001', required: true, size: 30, dataset: { field: 'suffix' } });

  const freeIndex = () => {
    const used = new Set([...kept, ...rows].map((r) => r.index));
    for (let i = 1; i < 100; i++) if (!used.has(i)) return i;
    return Math.max(...used) + 1;
  };
  const onDefault = (chosen) =>
    rows.forEach((r) => r.isDefault && r.isDefault !== chosen && (r.isDefault.checked = false));
  const add = (v) => {
    const row = valueRow(
      v,
      types,
      () => {
        rows.splice(rows.indexOf(row), 1);
        row.el.remove();
      },
      onDefault,
    );
    rows.push(row);
    list.append(row.el);
  };
  for (const v of record.values.filter((x) => EDITABLE.has(x.type))) add(v);
  if (handle === undefined) add({ index: freeIndex(), type: 'KIND', data: { value: 'product' } });

  async function save() {
    fill(status);
    const values = rows.map((r) => r.toValue());
    try {
      let target = handle;
      let version;
      if (target === undefined) {
        if (!suffix.value.trim()) throw new Error('The suffix is empty.');
        target = `${prefix}/${suffix.value.trim()}`;
        version = (await api(`${recordPath(target)}?overwrite=false`, { method: 'PUT', json: { values } })).version;
      } else {
        const removed = [...existing].filter((i) => !rows.some((r) => r.index === i));
        if (values.length) {
          const q = values.map((v) => `index=${v.index}`).join('&');
          version = (await api(`${recordPath(target)}?${q}`, { method: 'PUT', json: { values } })).version;
        }
        if (removed.length) {
          const q = removed.map((i) => `index=${i}`).join('&');
          version = (await api(`${recordPath(target)}?${q}`, { method: 'DELETE' })).version;
        }
      }
      fill(
        status,
        notice(
          'good',
          `Saved ${target}, version ${version}. `,
          h('a', { href: `/${target}?noredirect`, target: '_blank', rel: 'noopener' }, 'Record page'),
        ),
      );
      onSaved?.(target);
    } catch (e) {
      fill(status, notice('bad', explain(e)));
    }
  }

  const addButton = (type, text) =>
    h(
      'button',
      {
        type: 'button',
        className: 'quiet',
        dataset: { add: type },
        onclick: () => add({ index: freeIndex(), type, access: 'public' }),
      },
      text,
    );
  fill(
    container,
    h('h2', null, handle === undefined ? `New record under ${prefix}` : `Edit ${handle}`),
    handle === undefined ? h('div', { className: 'row' }, field(`Suffix (${prefix}/…)`, suffix)) : null,
    list,
    kept.length
      ? h('p', { className: 'muted' }, `Kept as they are: ${kept.map((v) => `#${v.index} ${v.type}`).join(', ')}.`)
      : null,
    h(
      'div',
      { className: 'row' },
      addButton('LINK', '+ Link'),
      addButton('URL', '+ URL'),
      addButton('KIND', '+ Kind'),
      addButton('EMAIL', '+ E-mail'),
      h('span', { className: 'spacer' }),
      h('button', { type: 'button', dataset: { action: 'save' }, onclick: save }, 'Save'),
    ),
    status,
  );
}
