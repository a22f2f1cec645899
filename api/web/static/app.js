// 清违 Qingwei web pages: a small single-page app on the HTTP API (/api/v1), routed on the URL
// fragment (#/tasks, #/cases/12, …). Every page is a module in js/views/.

import { api, forgetClock, serverNow, session, setUnauthorizedHandler } from './js/api.js';
import { clear, fmtTime, h } from './js/dom.js';
import { roleName } from './js/labels.js';

const CASE_ACTORS = ['officer', 'legal_review', 'head', 'government', 'utility', 'court'];
const CASE_READERS = [...CASE_ACTORS, 'auditor', 'admin'];
const LEDGER_READERS = CASE_READERS.filter((r) => r !== 'utility');

// [pattern, module, roles allowed (null = any signed-in user)]
const ROUTES = [
  [/^\/tasks$/, 'worklist', CASE_ACTORS],
  [/^\/cases\/new$/, 'new_case', ['officer']],
  [/^\/cases\/(\d+)(?:\/task\/([^/]+))?$/, 'case', CASE_READERS],
  [/^\/ledger$/, 'ledger', CASE_READERS],
  [/^\/import$/, 'import', ['officer', 'head']],
  [/^\/campaigns$/, 'campaigns', LEDGER_READERS],
  [/^\/campaigns\/(\d+)$/, 'campaigns', LEDGER_READERS],
  [/^\/audit$/, 'audit', CASE_READERS],
  [/^\/audit\/(\d+)$/, 'audit', CASE_READERS],
  [/^\/audit\/system$/, 'system_audit', ['auditor', 'admin']],
  [/^\/calendar$/, 'calendar', null],
  [/^\/calendar\/(\d{4})$/, 'calendar', null],
  [/^\/processes$/, 'processes', null],
  [/^\/processes\/([^/]+)\/(\d+)$/, 'processes', null],
  [/^\/incidents$/, 'incidents', ['admin', 'auditor']],
];
// Pages that live outside js/views/.
const MODULES = { incidents: './js/incidents.js' };

const NAV = [
  ['#/tasks', '待办', 'Tasks', CASE_ACTORS],
  ['#/ledger', '台账', 'Ledger', CASE_READERS],
  ['#/campaigns', '专项行动', 'Campaigns', LEDGER_READERS],
  ['#/cases/new', '立案', 'New case', ['officer']],
  ['#/import', '导入', 'Import leads', ['officer', 'head']],
  ['#/audit', '审计', 'Audit', ['auditor', 'admin']],
  ['#/processes', '流程', 'Processes', ['designer', 'admin']],
  ['#/calendar', '节假日', 'Holiday calendar', ['admin']],
  ['#/incidents', '定时器故障', 'Timer incidents', ['admin', 'auditor']],
];

function home() {
  if (session.has(...CASE_ACTORS)) return '#/tasks';
  if (session.has('auditor')) return '#/audit';
  if (session.has('designer')) return '#/processes';
  return '#/ledger';
}

const root = document.getElementById('app');
const header = document.getElementById('top');
let cleanup = null;
let flash = null;

export function navigate(hash) {
  if (location.hash === hash) route();
  else location.hash = hash;
}

/** A message shown once at the top of the next page (after a redirect). */
export function setFlash(kind, text) { flash = { kind, text }; }

setUnauthorizedHandler(() => {
  session.clear();
  setFlash('warn', '登录已过期，请重新登录。Your session has expired: sign in again.');
  navigate('#/login');
});

let headerGeneration = 0;

async function renderHeader() {
  const generation = ++headerGeneration;
  clear(header);
  const s = session.get();
  const brand = h('a', { class: 'brand', href: s ? home() : '#/login' },
    h('span', { class: 'logo' }, '清违'), h('span', { class: 'brand-sub' }, 'Qingwei · 违法建设查处'));
  header.append(brand);
  if (!s) return;
  const here = location.hash || '';
  const nav = h('nav', { class: 'nav' });
  for (const [href, zh, en, roles] of NAV) {
    if (!session.has(...roles)) continue;
    const current = here === href || here.startsWith(`${href}/`) || here.startsWith(`${href}?`);
    nav.append(h('a', { href, class: current ? 'current' : '', title: en }, zh));
  }
  header.append(nav);
  const clockBox = h('span', { class: 'clock' });
  const who = h('div', { class: 'who' },
    clockBox,
    h('span', { class: 'user', title: s.roles.join(', ') }, s.username, h('small', {}, ` ${s.roles.map(roleName).join('、')}`)),
    h('button', {
      type: 'button', class: 'btn small ghost', id: 'logout',
      onclick: async () => { await api.logout(); forgetClock(); navigate('#/login'); },
    }, '退出'));
  header.append(who);
  const { now, fake } = await serverNow({ refresh: true });
  if (fake && generation === headerGeneration) {
    clockBox.append(h('span', { class: 'badge demo', title: 'The engine runs on a settable demo clock' }, `演示时钟 ${fmtTime(now)}`));
  }
}

async function route() {
  const [rawPath, rawQuery] = (location.hash || '').replace(/^#/, '').split('?');
  const path = rawPath || '/';
  const query = new URLSearchParams(rawQuery || '');
  if (cleanup) { try { cleanup(); } catch { /* ignore */ } cleanup = null; }
  window.scrollTo(0, 0);
  // Each page renders into its own element: a slow page that finishes after the user has moved
  // on writes into a detached element, never into the page now shown.
  document.title = '清违 Qingwei · 违法建设查处';
  const mount = document.createElement('div');
  root.replaceChildren(mount);
  // The public verification page: a party checks a document without signing in.
  const verify = /^\/verify(?:\/([0-9A-Za-z]+))?$/.exec(path);
  if (verify) {
    await renderHeader();
    document.body.dataset.page = 'verify';
    const { render } = await import('./js/views/verify.js');
    await render(mount, [verify[1] || ''], { navigate, home, query });
    return;
  }
  if (path === '/login' || !session.get()) {
    await renderHeader();
    const { render } = await import('./js/views/login.js');
    showFlash(mount);
    await render(mount, [], { navigate, home });
    return;
  }
  if (path === '/') { navigate(home()); return; }
  let match = null;
  for (const [re, name, roles] of ROUTES) {
    const m = re.exec(path);
    if (m) { match = { name, params: m.slice(1), roles }; break; }
  }
  renderHeader();
  showFlash(mount);
  if (!match) {
    mount.append(h('div', { class: 'notice warn' }, '页面不存在。Page not found. ', h('a', { href: home() }, '返回首页')));
    return;
  }
  if (match.roles && !session.has(...match.roles)) {
    mount.append(h('div', { class: 'notice warn' }, '您的角色无权查看此页面。Your role cannot open this page. ', h('a', { href: home() }, '返回首页')));
    return;
  }
  document.body.dataset.page = match.name;
  const view = await import(MODULES[match.name] || `./js/views/${match.name}.js`);
  try {
    const done = (await view.render(mount, match.params, { navigate, home, setFlash, query })) || null;
    if (mount.isConnected) cleanup = done;
    else if (done) done();
  } catch (err) {
    if (err && err.status === 401) return;
    mount.append(h('div', { class: 'notice error' }, `出错了：${err.message || err}`));
    console.error(err);
  }
}

function showFlash(mount) {
  if (!flash) return;
  mount.append(h('div', { class: `notice ${flash.kind}` }, flash.text));
  flash = null;
}

window.addEventListener('hashchange', route);
route();

// For tests and the console: the API client.
window.qingwei = { api, session };
