import { api, explain } from '../api.js';
import { fill, h, notice, num, table } from '../dom.js';

/**
 * The top-level node's federation: registered nodes and their heartbeats, takeovers in progress,
 * each node's sync position, and the delegations (GET /api/admin/nodes and /api/admin/delegations).
 */

const POLL_MS = 2000;

function heartbeat(n, interval) {
  if (n.heartbeat === null) return h('span', { className: 'badge warn' }, 'none since start');
  const age = n.heartbeat.ageSeconds;
  const kind = age < (interval ?? 5) * 1.5 ? 'good' : age < (interval ?? 5) * 3 ? 'warn' : 'bad';
  return h(
    'span',
    null,
    h('span', { className: `badge ${kind}` }, `${num(age)} s ago`),
    ' ',
    h('span', { className: 'muted' }, n.heartbeat.health.replace('HEALTH_STATE_', '').toLowerCase()),
  );
}

function nodeRow(n, interval) {
  return h(
    'tr',
    { dataset: { node: n.nodeId } },
    h('td', null, h('strong', null, n.nodeId), h('div', { className: 'muted' }, n.role)),
    h('td', null, n.grpcAddress, n.httpAddress ? h('div', { className: 'muted' }, n.httpAddress) : null),
    h('td', null, n.prefixes.join(', ') || '—'),
    h('td', null, heartbeat(n, interval)),
    h(
      'td',
      null,
      n.takeover
        ? h('span', { className: 'badge bad', dataset: { test: 'takeover' } }, 'takeover')
        : h('span', { className: 'badge good' }, 'serving'),
    ),
    h('td', { className: 'num' }, num(n.sync.nodeSeq, 0)),
    h('td', { className: 'num' }, num(n.sync.appliedSeq, 0)),
    h('td', { className: 'num' }, num(n.sync.lagEntries, 0)),
  );
}

export const federation = {
  id: 'federation',
  title: 'Federation',
  group: 'Operations',
  shown: (_session, node) => node.role === 'top-level',
  render(main) {
    const status = h('div');
    const takeovers = h('div', { dataset: { test: 'takeovers' } });
    const nodes = h('div');
    const delegations = h('div');
    main.append(
      h('h1', null, 'Federation'),
      status,
      h('div', { className: 'panel' }, h('h2', null, 'Takeovers in progress'), takeovers),
      h('div', { className: 'panel' }, h('h2', null, 'Registered nodes'), nodes),
      h('div', { className: 'panel' }, h('h2', null, 'Delegations'), delegations),
    );
    let timer;
    let stopped = false;
    const tick = async () => {
      try {
        const [n, d] = await Promise.all([api('/api/admin/nodes'), api('/api/admin/delegations?pageSize=200')]);
        if (stopped) return;
        fill(status);
        const active = n.nodes.filter((x) => x.takeover);
        fill(
          takeovers,
          active.length === 0
            ? h('p', { className: 'muted' }, 'None: every registered node is heartbeating.')
            : notice(
                'bad',
                active.map((x) =>
                  h(
                    'div',
                    { dataset: { node: x.nodeId } },
                    h('strong', null, x.nodeId),
                    ` — ${x.prefixes.join(', ') || 'no prefixes'} answered from the synced copy (not authoritative); `,
                    x.heartbeat
                      ? `last heartbeat ${num(x.heartbeat.ageSeconds)} s ago`
                      : 'no heartbeat since this node started',
                    `; synced through seq ${x.sync.appliedSeq}.`,
                  ),
                ),
              ),
        );
        fill(
          nodes,
          n.nodes.length === 0
            ? h('p', { className: 'muted' }, 'No node has registered yet.')
            : table(
                [
                  'node',
                  'address',
                  'prefixes',
                  `heartbeat (every ${n.heartbeatSeconds ?? '?'} s)`,
                  'state',
                  h('th', { className: 'num' }, 'node seq'),
                  h('th', { className: 'num' }, 'applied'),
                  h('th', { className: 'num' }, 'lag'),
                ],
                n.nodes.map((x) => nodeRow(x, n.heartbeatSeconds)),
                { dataset: { test: 'nodes' } },
              ),
        );
        fill(
          delegations,
          d.delegations.length === 0
            ? h('p', { className: 'muted' }, 'No delegations.')
            : table(
                ['prefix', 'node', 'since', 'version', 'site'],
                d.delegations.map((x) =>
                  h(
                    'tr',
                    null,
                    h('td', null, x.prefix),
                    h('td', null, x.nodeId),
                    h('td', null, new Date(x.delegatedAt).toLocaleString()),
                    h('td', null, String(x.version)),
                    h('td', null, x.site.grpcAddress),
                  ),
                ),
              ),
          d.next ? h('p', { className: 'muted' }, 'More delegations exist: GET /api/admin/delegations?cursor=…') : null,
        );
      } catch (e) {
        if (!stopped) fill(status, notice('bad', explain(e)));
      }
      if (!stopped) timer = setTimeout(tick, POLL_MS);
    };
    void tick();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  },
};
