// 待办 Work list: the ready tasks for my roles, their deadlines, overdue first.
import { api, serverNow, session } from '../api.js';
import { fmtTime, h } from '../dom.js';
import { roleName } from '../labels.js';
import {
  caseTitle, deadlineCell, deadlineState, fetchCases, nextTimer, stageBadge, statusBadge, taskDeadline, timerDeadline,
} from './shared.js';

export async function render(root) {
  root.append(h('div', { class: 'page-head' },
    h('h1', {}, '我的待办 ', h('small', {}, 'My tasks')),
    session.has('officer') ? h('a', { class: 'btn primary', href: '#/cases/new' }, '＋ 立案 New case') : null));
  const body = h('div', { class: 'loading' }, '加载中…');
  root.append(body);

  const [{ now }, tasks] = await Promise.all([serverNow({ refresh: true }), api.get('/tasks')]);
  const cases = await fetchCases(tasks.map((t) => t.case_id));
  const rows = tasks.map((t, i) => {
    const c = cases.get(t.case_id);
    const timer = c ? nextTimer(c) : null;
    const due = t.due_at || (timer && timer.due_at) || null;
    const state = t.overdue ? 'overdue' : deadlineState(due, now);
    const provisional = t.due_at ? !!t.due_provisional : !!(timer && timer.provisional);
    return { t, c, timer: t.due_at ? null : timer, due, state, provisional, i };
  });
  const rank = { overdue: 0, soon: 1, ok: 2, '': 3 };
  rows.sort((a, b) => rank[a.state] - rank[b.state]
    || (a.due && b.due ? new Date(a.due) - new Date(b.due) : 0) || a.i - b.i);

  const overdue = rows.filter((r) => r.state === 'overdue').length;
  const soon = rows.filter((r) => r.state === 'soon').length;
  const provisional = rows.filter((r) => r.provisional).length;
  const search = h('input', { type: 'search', placeholder: '搜索案件编号、地址、任务… Search', class: 'search' });
  const onlyOverdue = h('input', { type: 'checkbox', id: 'only-overdue' });
  const table = h('table', { class: 'grid worklist stack' });

  function draw() {
    const q = search.value.trim().toLowerCase();
    const shown = rows.filter((r) => (!onlyOverdue.checked || r.state === 'overdue')
      && (!q || [r.t.name, r.c && r.c.case_no, r.c && caseTitle(r.c), r.c && r.c.data.party_name]
        .some((s) => s && String(s).toLowerCase().includes(q))));
    table.replaceChildren(
      h('thead', {}, h('tr', {},
        h('th', {}, '案件'), h('th', {}, '任务'), h('th', {}, '阶段'), h('th', {}, '承办'),
        h('th', {}, '收到时间'), h('th', {}, '期限 Deadline'))),
      h('tbody', {}, shown.length ? shown.map(({ t, c, timer, due, state, provisional: p }) => h('tr', {
        class: state, 'data-task-id': t.id, 'data-case-id': t.case_id, 'data-overdue': state === 'overdue' ? 'true' : null,
        'data-provisional': p ? 'true' : null,
      },
      h('td', {},
        h('a', { href: `#/cases/${t.case_id}`, class: 'case-no' }, c ? c.case_no : `#${t.case_id}`),
        c ? h('div', { class: 'small' }, caseTitle(c)) : null,
        c && c.status !== 'open' ? statusBadge(c.status) : null),
      h('td', {}, h('a', { class: 'task-link', href: `#/cases/${t.case_id}/task/${encodeURIComponent(t.id)}` }, t.name)),
      h('td', { class: 'inline' }, stageBadge(t.stage || (c && c.stage))),
      h('td', { class: 'inline', 'data-label': '承办' }, roleName(t.lane)),
      h('td', { 'data-label': '收到' }, fmtTime(t.created_at)),
      h('td', { class: 'due-cell', 'data-label': '期限' }, deadlineCell(due, now, timer ? timerDeadline(timer) : taskDeadline(t)))))
        : h('tr', {}, h('td', { colspan: 6, class: 'empty' }, tasks.length ? '没有符合条件的任务。' : '暂无待办任务。No tasks waiting for you.'))));
  }
  search.addEventListener('input', draw);
  onlyOverdue.addEventListener('change', draw);
  draw();

  body.replaceWith(
    h('div', { class: 'cards' },
      h('div', { class: 'card stat' }, h('div', { class: 'num' }, String(rows.length)), h('div', {}, '待办任务')),
      h('div', { class: `card stat ${overdue ? 'overdue' : ''}` }, h('div', { class: 'num', id: 'overdue-count' }, String(overdue)), h('div', {}, '已逾期')),
      h('div', { class: `card stat ${soon ? 'soon' : ''}` }, h('div', { class: 'num' }, String(soon)), h('div', {}, '3日内到期')),
      provisional ? h('div', { class: 'card stat provisional', title: '期限所在年度的国务院放假安排尚未载入，按法定节日暂定计算' },
        h('div', { class: 'num', id: 'provisional-count' }, String(provisional)), h('div', {}, '暂定期限')) : null),
    h('div', { class: 'toolbar' }, search, h('label', { class: 'check' }, onlyOverdue, ' 只看逾期 Overdue only')),
    table);
}
