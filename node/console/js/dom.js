/**
 * Element building without innerHTML: every value from the node (identifiers, titles, company
 * names) becomes a text node, so nothing it contains can run as markup.
 */

/**
 * h('td', { className: 'num', dataset: { test: 'x' }, onclick }, 'text', childEl)
 * @param {string} tag
 * @param {Record<string, unknown> | null} [attrs]
 * @param {...(Node | string | number | null | undefined | false | (Node | string)[])} children
 * @returns {HTMLElement}
 */
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs ?? {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'dataset') Object.assign(el.dataset, v);
    else if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k in el && k !== 'list' && k !== 'for') el[k] = v;
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children) {
    if (c === undefined || c === null || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

/** Replaces an element's children. */
export function fill(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

/** A table from column heads and rows of cells (strings or nodes). */
export function table(heads, rows, attrs = {}) {
  return h(
    'div',
    { className: 'table-wrap' },
    h(
      'table',
      attrs,
      h(
        'thead',
        null,
        h(
          'tr',
          null,
          heads.map((c) => (typeof c === 'string' ? h('th', null, c) : c)),
        ),
      ),
      h('tbody', null, rows),
    ),
  );
}

/** A notice line: kind 'good' | 'bad' | ''. */
export const notice = (kind, ...children) => h('div', { className: `notice ${kind}`, role: 'status' }, ...children);

/** Number shown for people: '—' for null, fixed digits otherwise. */
export function num(v, digits = 1) {
  if (v === null || v === undefined || Number.isNaN(v)) return '—';
  return Number(v).toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: 0 });
}

/** A select of options [{ value, text }], the selected one by value. */
export function select(options, value, attrs = {}) {
  return h(
    'select',
    attrs,
    options.map((o) => h('option', { value: o.value, selected: o.value === value }, o.text)),
  );
}
