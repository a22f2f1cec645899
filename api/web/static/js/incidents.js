// 定时器故障 Timer incidents: timers whose firing failed (a script error, the step budget, bad
// data). The worker retries each with a growing wait and stops after the last attempt; here an
// administrator retries one (a fresh set of attempts) or resolves it with a reason, both written
// to the system trail. Auditors see the list without the buttons. The case page marks a stuck
// timer with `stuckTimerNote`.
import { api, session } from './api.js';
import { fmtTime, h } from './dom.js';
import { problemNotice } from './views/shared.js';

const PAGE_SIZE = 50;
const FILTERS = [
  ['active', '未解决', 'Unresolved'],
  ['failed', '已停止重试', 'Given up'],
  ['resolved', '已解决', 'Resolved'],
  ['', '全部', 'All'],
];
const STATUS = {
  open: ['重试中', 'soon', 'Retrying'],
  failed: ['已停止重试', 'overdue', 'No attempts left'],
  resolved: ['已解决', 'ok', 'Resolved'],
};
const KINDS = {
  time_budget: '超出时间限制',
  process_fault: '流程故障',
  calendar: '节假日安排缺失',
};

export function statusBadge(status) {
  const [zh, cls, en] = STATUS[status] || [status, '', status];
  return h('span', { class: `badge ${cls} incident-status`, title: en, 'data-status': status }, zh);
}

const kindName = (kind) => KINDS[kind] || kind;

/** The case page's note under a stuck timer: why it has not fired and what happens next. */
export function stuckTimerNote(t, caseId) {
  const i = t.incident;
  if (!i) return null;
  const next = i.status === 'open'
    ? `将于 ${fmtTime(i.next_attempt_at)} 再次尝试`
    : '已停止自动重试，等待管理员处理';
  return h('div', { class: 'notice error small stuck-timer', role: 'status', 'data-incident': i.id },
    h('strong', {}, '定时器故障：期限已到但未能触发'), ' ',
    h('span', { class: 'en' }, 'Stuck: due but its firing failed. '),
    h('div', {}, `${kindName(i.error_kind)}，已失败 ${i.attempts} 次；${next}。`),
    session.has('admin', 'auditor')
      ? h('a', { href: `#/incidents?case_id=${encodeURIComponent(caseId)}` }, '查看故障 View incident')
      : null);
}

export async function render(root, _params, { navigate, query, setFlash }) {
  document.title = '定时器故障 · 清违';
  const status = query.has('status') ? query.get('status') : 'active';
  const page = Math.max(1, Number(query.get('page')) || 1);
  const caseId = query.get('case_id') || '';
  const canAct = session.has('admin');
  const res = await api.raw('/admin/incidents', {
    status: status || undefined, case_id: caseId || undefined, page, page_size: PAGE_SIZE,
  });
  const items = await res.json();
  const total = Number(res.headers.get('X-Total-Count') || items.length);
  const link = (over) => {
    const q = new URLSearchParams();
    const s = over.status ?? status;
    q.set('status', s);
    if (caseId && !('case_id' in over)) q.set('case_id', caseId);
    if ((over.page ?? 1) > 1) q.set('page', String(over.page));
    return `#/incidents?${q}`;
  };
  const feedback = h('div', { id: 'incident-feedback', 'aria-live': 'polite' });
  const reload = () => navigate(link({ page }));
  const after = (text) => { setFlash('ok', text); reload(); };

  root.append(
    h('div', { class: 'page-head' },
      h('h1', {}, '定时器故障 ', h('small', {}, 'Timer incidents'))),
    h('p', { class: 'muted small' },
      '期限到达后触发失败的定时器（脚本出错、超出时间限制、数据有误）不会阻塞其他案件：',
      '工作进程按逐次加倍的间隔自动重试，达到次数上限后停止，等待管理员“重试”（重新给予全部次数）或“解决”（写明理由）。',
      '两种操作都记入系统审计。',
      h('span', { class: 'en' }, ' Failing timers are retried with backoff, then wait for an administrator; every action is in the system trail.')),
    h('nav', { class: 'tabs', 'aria-label': '故障状态' }, FILTERS.map(([key, zh, en]) => h('a', {
      href: link({ status: key }), class: key === status ? 'current' : '', 'data-filter': key || 'all',
    }, `${zh} `, h('small', {}, en)))),
    caseId ? h('p', { class: 'small' }, `只显示案件 ${caseId} 的故障。`, h('a', { href: link({ case_id: undefined }) }, '显示全部')) : '',
    feedback,
    h('table', { class: 'grid stack', id: 'incidents-table' },
      h('thead', {}, h('tr', {},
        h('th', {}, '案件'), h('th', {}, '定时器'), h('th', {}, '状态'), h('th', {}, '尝试'),
        h('th', {}, '下次尝试'), h('th', {}, '错误'), h('th', {}, ''))),
      h('tbody', {}, items.length
        ? items.map((i) => row(i, { canAct, feedback, reload, after }))
        : h('tr', {}, h('td', { colspan: 7, class: 'empty' }, '没有故障。No incidents.')))),
    pager(total, page, link));
}

function row(i, { canAct, feedback, reload, after }) {
  const actions = h('td', { class: 'incident-actions' });
  if (canAct && i.status !== 'resolved') {
    actions.append(
      h('button', {
        type: 'button', class: 'btn small', 'data-action': 'retry',
        onclick: () => act(feedback, after, `/admin/incidents/${i.id}/retry`, undefined, '已安排重试，工作进程下一轮将再次触发。'),
      }, '重试'),
      ' ',
      h('button', { type: 'button', class: 'btn small', 'data-action': 'resolve', onclick: () => resolveForm(i, actions, { feedback, reload, after }) }, '解决'));
  }
  return h('tr', { 'data-incident': i.id, class: i.status === 'failed' ? 'overdue' : '' },
    h('td', {}, h('a', { href: `#/cases/${i.case_id}`, class: 'case-no' }, i.case_no)),
    h('td', { 'data-label': '定时器' }, h('div', {}, i.timer_name),
      h('div', { class: 'small muted' }, `到期 ${fmtTime(i.due_at, { deadline: true })}`)),
    h('td', { class: 'inline' }, statusBadge(i.status)),
    h('td', { 'data-label': '尝试', class: 'num' }, `${i.attempts} / ${i.max_attempts}`),
    h('td', { 'data-label': '下次尝试' }, i.status === 'open' ? fmtTime(i.next_attempt_at) : '—'),
    h('td', { 'data-label': '错误' },
      h('div', {}, h('b', {}, kindName(i.error_kind)), ` · 首次失败 ${fmtTime(i.opened_at)}`),
      h('details', {}, h('summary', { class: 'small' }, '错误详情 Details'), h('pre', { class: 'json' }, i.error)),
      i.status === 'resolved'
        ? h('div', { class: 'small' }, `由 ${i.resolved_by} 于 ${fmtTime(i.resolved_at)} 解决：${i.resolution || ''}`)
        : null),
    actions);
}

function resolveForm(i, cell, { feedback, reload, after }) {
  const reason = h('textarea', {
    rows: 2, maxlength: 2000, required: true, id: `reason-${i.id}`, placeholder: '例如：流程已修正并重新部署',
  });
  cell.replaceChildren(h('form', {
    class: 'resolve-form',
    onsubmit: (e) => {
      e.preventDefault();
      act(feedback, after, `/admin/incidents/${i.id}/resolve`, { reason: reason.value }, '故障已解决。');
    },
  },
  h('label', { for: `reason-${i.id}` }, '解决理由（记入系统审计）'), reason,
  h('div', {}, h('button', { type: 'submit', class: 'btn small primary' }, '确认解决'), ' ',
    h('button', { type: 'button', class: 'btn small ghost', onclick: reload }, '取消'))));
  reason.focus();
}

/** Post, then show the list again with `done` on top; a refusal stays on this page. */
async function act(feedback, after, path, body, done) {
  feedback.replaceChildren();
  try {
    await api.post(path, body);
  } catch (err) {
    feedback.append(problemNotice(err));
    return;
  }
  after(done);
}

function pager(total, page, link) {
  const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
  return h('p', { class: 'muted small pager' }, `共 ${total} 条 · 第 ${page}/${pages} 页 `,
    page > 1 ? h('a', { href: link({ page: page - 1 }) }, '上一页') : null, ' ',
    page < pages ? h('a', { href: link({ page: page + 1 }) }, '下一页') : null);
}
