import uPlot from '../../vendor/uplot/uPlot.esm.js';
import { api, explain } from '../api.js';
import { fill, h, notice, num, table } from '../dom.js';

/**
 * Operators' live view: GET /api/stats every second (rates and percentiles over the last 5 s,
 * computed by the node from its /metrics registry), drawn with uPlot over the last two minutes.
 */

const POLL_MS = 1000;
const WINDOW_S = 5;
const KEEP_POINTS = 120;
const SOURCES = ['cache', 'store', 'upstream', 'stale'];
const COLORS = ['#1f6feb', '#bf8700', '#cf222e', '#8250df', '#1a7f37'];

/** One chart: x = time (s), then one series per name. */
function chart(el, title, names, unit) {
  const opts = {
    title,
    width: Math.max(280, el.clientWidth || 400),
    height: 190,
    scales: {
      // Always the last two minutes, so the first readings do not stretch over an arbitrary span.
      x: { time: true, range: (_u, _min, max) => [max - KEEP_POINTS * (POLL_MS / 1000), max] },
      y: { range: (_u, _min, max) => [0, Math.max(max * 1.1, unit === '%' ? 100 : 1)] },
    },
    axes: [
      {
        space: 70,
        values: (_u, ticks) => ticks.map((t) => new Date(t * 1000).toLocaleTimeString([], { hour12: false })),
      },
      { size: 56, values: (_u, ticks) => ticks.map((t) => `${num(t, 2)}${unit === '%' ? '%' : ''}`) },
    ],
    series: [{}, ...names.map((n, i) => ({ label: n, stroke: COLORS[i % COLORS.length], width: 2, spanGaps: false }))],
    legend: { live: false },
  };
  const data = [[], ...names.map(() => [])];
  const plot = new uPlot(opts, data, el);
  return {
    push(t, values) {
      data[0].push(t);
      values.forEach((v, i) => data[i + 1].push(v ?? null));
      if (data[0].length > KEEP_POINTS) for (const s of data) s.shift();
      plot.setData(data);
      // How many readings carry a value: tests (and curious operators) can see the chart grow.
      el.dataset.points = String(data[1].filter((v) => v !== null).length);
    },
    resize: () => plot.setSize({ width: Math.max(280, el.clientWidth), height: 190 }),
    destroy: () => plot.destroy(),
  };
}

function card(label, test, unit = '') {
  const value = h('span', { className: 'value', dataset: { test } }, '—');
  return {
    el: h(
      'div',
      { className: 'card' },
      h('div', { className: 'label' }, label),
      value,
      h('span', { className: 'unit' }, unit),
    ),
    value,
  };
}

const badge = (ok, yes = 'ok', no = 'failing') =>
  h('span', { className: `badge ${ok ? 'good' : 'bad'}` }, ok ? yes : no);

function latencyRows(by) {
  return Object.entries(by).map(([k, l]) =>
    h(
      'tr',
      null,
      h('td', null, k),
      h('td', { className: 'num' }, num(l.perSecond)),
      h('td', { className: 'num' }, num(l.p50, 2)),
      h('td', { className: 'num' }, num(l.p90, 2)),
      h('td', { className: 'num' }, num(l.p99, 2)),
    ),
  );
}

const LAT_HEADS = (what) => [
  what,
  h('th', { className: 'num' }, 'per s'),
  h('th', { className: 'num' }, 'p50 ms'),
  h('th', { className: 'num' }, 'p90 ms'),
  h('th', { className: 'num' }, 'p99 ms'),
];

function healthList(s) {
  const checks = s.health.checks.map((c) => h('li', null, `${c.check} `, badge(c.ok)));
  const up = s.health.upstream;
  const sync = s.sync;
  const facts = [
    up ? h('li', null, `upstream calls ${num(up.requestsPerSecond)}/s, failures ${num(up.failuresPerSecond)}/s`) : null,
    sync.lagEntries !== null
      ? h(
          'li',
          { dataset: { test: 'sync-lag' } },
          `sync lag ${num(sync.lagEntries, 0)} entries, ${num(sync.lagSeconds)} s`,
        )
      : null,
    sync.takeoverActive === 1
      ? h('li', null, badge(false, '', 'the top-level node answers for this node (takeover)'))
      : null,
    ...sync.nodes.map((n) =>
      h(
        'li',
        null,
        `${n.node}: sync lag ${num(n.lagEntries, 0)} entries `,
        n.takeoverActive ? badge(false, '', 'takeover') : null,
      ),
    ),
  ];
  return h('ul', null, checks, facts);
}

export const live = {
  id: 'live',
  title: 'Live',
  group: 'Operations',
  shown: () => true,
  render(main, { node }) {
    const cards = {
      rate: card('Resolutions', 'rate', '/s'),
      p50: card('p50', 'latency-p50', 'ms'),
      p90: card('p90', 'latency-p90', 'ms'),
      p99: card('p99', 'latency-p99', 'ms'),
      hit: card('Cache hit rate', 'cache-hit', '%'),
      errors: card('Errors', 'errors', '/s'),
    };
    const els = {
      rate: h('div', { className: 'chart', dataset: { test: 'chart-rate' } }),
      latency: h('div', { className: 'chart', dataset: { test: 'chart-latency' } }),
      sources: h('div', { className: 'chart', dataset: { test: 'chart-sources' } }),
      hit: h('div', { className: 'chart', dataset: { test: 'chart-cache' } }),
    };
    const byPrefix = h('div');
    const bySource = h('div');
    const errors = h('div');
    const health = h('div');
    const status = h('div');
    const links = h(
      'p',
      { className: 'links' },
      h('a', { href: node.links.metrics, target: '_blank', rel: 'noopener' }, '/metrics (Prometheus)'),
      node.links.grafana
        ? h('a', { href: node.links.grafana, target: '_blank', rel: 'noopener' }, 'Grafana dashboard')
        : h('span', { className: 'muted' }, 'Grafana: set IDNODE_GRAFANA_URL to link the dashboard of deploy/grafana'),
    );
    main.append(
      h('h1', null, 'Live resolution'),
      h('p', { className: 'muted' }, `Rates and percentiles over the last ${WINDOW_S} s, refreshed every second.`),
      status,
      h(
        'div',
        { className: 'cards' },
        Object.values(cards).map((c) => c.el),
      ),
      h(
        'div',
        { className: 'grid' },
        h('div', { className: 'panel' }, els.rate),
        h('div', { className: 'panel', dataset: { test: 'latency-panel' } }, els.latency),
        h('div', { className: 'panel' }, els.sources),
        h('div', { className: 'panel' }, els.hit),
      ),
      h(
        'div',
        { className: 'grid' },
        h('div', { className: 'panel' }, h('h2', null, 'Latency per enterprise prefix'), byPrefix),
        h('div', { className: 'panel' }, h('h2', null, 'Latency per source'), bySource),
        h('div', { className: 'panel' }, h('h2', null, 'Errors by code'), errors),
        h('div', { className: 'panel' }, h('h2', null, 'Health and sync'), health, links),
      ),
    );
    const charts = {
      rate: chart(els.rate, 'Resolutions per second', ['resolutions/s'], '/s'),
      latency: chart(els.latency, 'Latency (ms)', ['p50', 'p90', 'p99'], 'ms'),
      sources: chart(els.sources, 'p99 by source (ms)', SOURCES, 'ms'),
      hit: chart(els.hit, 'Cache hit rate (%)', ['hit rate'], '%'),
    };
    let timer;
    let stopped = false;
    const tick = async () => {
      try {
        const s = await api(`/api/stats?window=${WINDOW_S}`);
        if (stopped) return;
        fill(status);
        const r = s.resolution;
        const t = Date.parse(s.at) / 1000;
        fill(cards.rate.value, num(r.perSecond));
        fill(cards.p50.value, num(r.p50, 2));
        fill(cards.p90.value, num(r.p90, 2));
        fill(cards.p99.value, num(r.p99, 2));
        fill(cards.hit.value, s.cache.hitRate === null ? '—' : num(s.cache.hitRate * 100));
        fill(cards.errors.value, num(s.errors.perSecond));
        charts.rate.push(t, [r.perSecond]);
        charts.latency.push(t, [r.p50, r.p90, r.p99]);
        charts.sources.push(
          t,
          SOURCES.map((src) => r.bySource[src]?.p99 ?? null),
        );
        charts.hit.push(t, [s.cache.hitRate === null ? null : s.cache.hitRate * 100]);
        const none = (what) => h('p', { className: 'muted' }, `No ${what} in the last ${WINDOW_S} s.`);
        fill(
          byPrefix,
          Object.keys(r.byPrefix).length ? table(LAT_HEADS('prefix'), latencyRows(r.byPrefix)) : none('resolutions'),
        );
        fill(
          bySource,
          Object.keys(r.bySource).length ? table(LAT_HEADS('source'), latencyRows(r.bySource)) : none('resolutions'),
        );
        fill(
          errors,
          s.errors.byCode.length
            ? table(
                ['code', h('th', { className: 'num' }, 'count'), h('th', { className: 'num' }, 'per s')],
                s.errors.byCode.map((e) =>
                  h(
                    'tr',
                    null,
                    h('td', null, h('code', null, e.code)),
                    h('td', { className: 'num' }, num(e.count, 0)),
                    h('td', { className: 'num' }, num(e.perSecond)),
                  ),
                ),
              )
            : none('errors'),
        );
        fill(health, healthList(s));
      } catch (e) {
        if (!stopped) fill(status, notice('bad', `Stats unavailable: ${explain(e)}`));
      }
      if (!stopped) timer = setTimeout(tick, POLL_MS);
    };
    const onResize = () => Object.values(charts).forEach((c) => c.resize());
    window.addEventListener('resize', onResize);
    void tick();
    return () => {
      stopped = true;
      clearTimeout(timer);
      window.removeEventListener('resize', onResize);
      Object.values(charts).forEach((c) => c.destroy());
    };
  },
};
