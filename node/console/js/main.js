import { api, ApiError, explain, session, whenSignedOut } from './api.js';
import { fill, h, notice } from './dom.js';
import { PANELS } from './panels/index.js';

/**
 * The console shell: sign-in, the navigation the signed-in admin's rights allow, and a hash
 * router (#/live, #/reviews, ...). Each panel renders into <main> and returns a stop function
 * (timers, charts) called when another panel is shown.
 */

const main = /** @type {HTMLElement} */ (document.getElementById('main'));
const nav = /** @type {HTMLElement} */ (document.getElementById('nav'));
const who = /** @type {HTMLElement} */ (document.getElementById('who'));
const nodeInfo = /** @type {HTMLElement} */ (document.getElementById('node-info'));
const signOutButton = /** @type {HTMLButtonElement} */ (document.getElementById('sign-out'));

/** What every panel may read: the node's role and prefixes (from /api/stats, public). */
const node = { role: 'standalone', id: null, store: '', prefixes: [], links: { metrics: '/metrics', grafana: null } };
let stop = () => undefined;

async function loadNode() {
  try {
    const s = await api('/api/stats?window=5');
    Object.assign(node, s.node, { links: s.links });
  } catch {
    // The panels say what is unreachable; the shell still renders.
  }
  fill(nodeInfo, `${node.role}${node.id ? ` · ${node.id}` : ''} · ${node.store} · ${node.prefixes.join(', ')}`);
}

const visible = () => PANELS.filter((p) => p.shown(session, node));

function renderNav() {
  const groups = new Map();
  for (const p of visible()) groups.set(p.group, [...(groups.get(p.group) ?? []), p]);
  fill(
    nav,
    [...groups].map(([group, panels]) => [
      h('span', { className: 'group' }, group),
      panels.map((p) => h('a', { href: `#/${p.id}`, dataset: { panel: p.id } }, p.title)),
    ]),
  );
}

function route() {
  stop();
  const id = location.hash.replace(/^#\//, '').split('?')[0];
  const panels = visible();
  const panel = panels.find((p) => p.id === id) ?? panels[0];
  for (const a of nav.querySelectorAll('a')) a.classList.toggle('active', a.dataset.panel === panel?.id);
  if (panel === undefined) {
    fill(main, notice('bad', 'This admin has no rights on any prefix of this node.'));
    stop = () => undefined;
    return;
  }
  fill(main);
  document.title = `${panel.title} · idnode console`;
  stop = panel.render(main, { node, session }) ?? (() => undefined);
}

function signedIn(s) {
  Object.assign(session, { user: s.user, csrf: s.csrfToken, prefixes: s.prefixes });
  fill(who, s.user);
  signOutButton.hidden = false;
  renderNav();
  route();
}

function showSignIn(message) {
  stop();
  stop = () => undefined;
  Object.assign(session, { user: null, csrf: null, prefixes: [] });
  fill(nav);
  fill(who);
  signOutButton.hidden = true;
  const user = h('input', {
    name: 'user',
    autocomplete: 'username',
    placeholder: '300:88.100.5/ADMIN',
    required: true,
  });
  const secret = h('input', { name: 'secret', type: 'password', autocomplete: 'current-password', required: true });
  const status = h('div');
  const form = h(
    'form',
    {
      onsubmit: async (e) => {
        e.preventDefault();
        fill(status);
        try {
          // The secret goes to the node once and is dropped: the page keeps only the cookie the node set.
          const s = await api('/api/session', { method: 'POST', json: { user: user.value, secret: secret.value } });
          secret.value = '';
          signedIn(s);
        } catch (err) {
          fill(status, notice('bad', explain(err)));
        }
      },
    },
    h('label', null, 'Admin handle', user),
    h('label', null, 'Secret', secret),
    h('button', { type: 'submit' }, 'Sign in'),
    status,
  );
  fill(
    main,
    h(
      'div',
      { className: 'panel signin' },
      h('h1', null, 'Sign in'),
      h('p', { className: 'muted' }, 'Use the admin handle and secret you use for the API (HTTP Basic).'),
      message ? notice('bad', message) : null,
      form,
    ),
  );
  user.focus();
}

signOutButton.addEventListener('click', async () => {
  try {
    await api('/api/session', { method: 'DELETE' });
  } finally {
    showSignIn();
  }
});
whenSignedOut(() => showSignIn('The session ended; sign in again.'));
window.addEventListener('hashchange', () => session.user !== null && route());

await loadNode();
try {
  signedIn(await api('/api/session'));
} catch (e) {
  showSignIn(e instanceof ApiError && e.status === 401 ? undefined : explain(e));
}
