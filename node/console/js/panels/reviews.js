import { api, explain, idempotencyKey } from '../api.js';
import { fill, h, notice, table } from '../dom.js';

/**
 * Reviewers (实名审核): applications by status from GET /api/admin/prefix-applications, approve or
 * reject with a reason through the application routes a script would call. An approval's admin
 * secret is shown once, here, and nowhere else (the node keeps only its hash).
 */

const STATUSES = ['pending', 'approved', 'rejected', 'all'];
const BASE = '/api/admin/prefix-applications';

const when = (iso) => (iso ? new Date(iso).toLocaleString() : '—');

function contact(c) {
  return [c.name, c.email, c.phone].filter(Boolean).join(' · ');
}

export const reviews = {
  id: 'reviews',
  title: 'Applications',
  group: 'Reviewers',
  shown: (session) => session.prefixes.some((p) => p.review),
  render(main) {
    let status = 'pending';
    let cursor;
    const tabs = h('div', { className: 'row' });
    const result = h('div', { dataset: { test: 'review-result' } });
    const list = h('div');
    const more = h('div');
    main.append(h('h1', null, 'Prefix applications'), tabs, result, h('div', { className: 'panel' }, list, more));

    async function decide(a, decision, reason) {
      fill(result);
      try {
        const r = await api(`${BASE}/${encodeURIComponent(a.id)}/${decision}`, {
          method: 'POST',
          json: reason ? { reason } : {},
          headers: { 'idempotency-key': idempotencyKey(`${decision}-${a.id}`) },
        });
        if (decision === 'approve') {
          fill(
            result,
            notice(
              'good',
              h('strong', null, `${r.prefix} approved for ${a.companyName}. `),
              'Admin ',
              h('code', null, r.admin.user),
              r.admin.secret
                ? [
                    ', secret ',
                    h('code', { dataset: { test: 'new-secret' } }, r.admin.secret),
                    ' — shown once: hand it to the applicant now.',
                  ]
                : ' (the secret was shown to the first approval).',
            ),
          );
        } else fill(result, notice('good', `${a.id} rejected: ${reason}`));
      } catch (e) {
        fill(result, notice('bad', explain(e)));
      }
      await load(true);
    }

    function actions(a) {
      if (a.status !== 'pending')
        return h('td', null, a.reviewer ? `${a.reviewer}${a.reason ? `: ${a.reason}` : ''}` : '—');
      const reason = h('input', { placeholder: 'reason (required to reject)', 'aria-label': `Reason for ${a.id}` });
      return h(
        'td',
        null,
        h(
          'div',
          { className: 'row' },
          h(
            'button',
            {
              type: 'button',
              dataset: { action: 'approve' },
              onclick: () => decide(a, 'approve', reason.value.trim() || undefined),
            },
            'Approve',
          ),
          reason,
          h(
            'button',
            {
              type: 'button',
              className: 'danger',
              dataset: { action: 'reject' },
              onclick: () =>
                reason.value.trim()
                  ? decide(a, 'reject', reason.value.trim())
                  : (reason.focus(), fill(result, notice('bad', 'A rejection needs a reason for the applicant.'))),
            },
            'Reject',
          ),
        ),
      );
    }

    const row = (a) =>
      h(
        'tr',
        { dataset: { application: a.id } },
        h('td', null, h('strong', null, a.id), h('div', { className: 'muted' }, when(a.submittedAt))),
        h('td', null, a.companyName, h('div', { className: 'muted' }, a.creditCode)),
        h('td', null, contact(a.contact)),
        h('td', null, a.prefix, h('div', { className: 'muted' }, `under ${a.parentPrefix}`)),
        h(
          'td',
          null,
          h(
            'span',
            { className: `badge ${a.status === 'approved' ? 'good' : a.status === 'rejected' ? 'bad' : 'warn'}` },
            a.status,
          ),
          a.decidedAt ? h('div', { className: 'muted' }, when(a.decidedAt)) : null,
        ),
        actions(a),
      );

    async function load(reset) {
      if (reset) cursor = undefined;
      const q = new URLSearchParams({ status, pageSize: '50', ...(cursor ? { cursor } : {}) });
      try {
        const page = await api(`${BASE}?${q}`);
        const rows = page.applications.map(row);
        if (reset) {
          fill(
            list,
            rows.length
              ? table(
                  [
                    'application',
                    'company',
                    'contact',
                    'prefix',
                    'status',
                    status === 'pending' ? 'decision' : 'reviewer',
                  ],
                  rows,
                  { dataset: { test: 'applications' } },
                )
              : h('p', { className: 'muted' }, `No ${status === 'all' ? '' : `${status} `}applications.`),
          );
        } else list.querySelector('tbody')?.append(...rows);
        cursor = page.next;
        fill(
          more,
          cursor ? h('button', { type: 'button', className: 'quiet', onclick: () => load(false) }, 'More') : null,
        );
      } catch (e) {
        fill(list, notice('bad', explain(e)));
      }
    }

    const renderTabs = () =>
      fill(
        tabs,
        STATUSES.map((s) =>
          h(
            'button',
            {
              type: 'button',
              className: s === status ? '' : 'quiet',
              dataset: { status: s },
              onclick: () => {
                status = s;
                renderTabs();
                fill(result);
                void load(true);
              },
            },
            s,
          ),
        ),
      );
    renderTabs();
    void load(true);
  },
};
