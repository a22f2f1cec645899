// Pieces several pages use: status/stage badges, deadline cells, error notices, case fetching.
import { api } from '../api.js';
import { fmtTime, h, remaining } from '../dom.js';
import {
  CALENDAR_STATUSES, holderName, lawName, periodName, PROVISIONAL_HINT, stageName, statusName,
} from '../labels.js';

export const SOON_MS = 3 * 86400000;

export function statusBadge(status) {
  return h('span', { class: `badge status-${status}` }, statusName(status));
}

export function stageBadge(stage) {
  return h('span', { class: 'badge stage', title: stage }, stageName(stage));
}

export function deadlineState(due, now) {
  if (!due) return '';
  const ms = new Date(due).getTime() - now.getTime();
  if (ms <= 0) return 'overdue';
  if (ms <= SOON_MS) return 'soon';
  return 'ok';
}

/** The 暂定 mark: a deadline computed on a year whose State Council schedule is not loaded.
 * With the years known it links to that year's calendar. */
export function provisionalBadge(years = []) {
  const ys = [...new Set((years || []).map(Number).filter(Boolean))].sort();
  const title = ys.length
    ? `${ys.join('、')}年度国务院放假安排尚未载入，期限按法定节日暂定计算；载入正式安排后自动重新计算。`
    : `${PROVISIONAL_HINT}；载入正式安排后自动重新计算。`;
  const attrs = {
    class: 'badge provisional', title, 'aria-label': `暂定：${title}`, 'data-provisional': ys.join(',') || 'true',
  };
  return ys.length === 1
    ? h('a', { ...attrs, href: `#/calendar/${ys[0]}` }, '暂定')
    : h('span', { ...attrs, tabindex: '0' }, '暂定');
}

/** A year's calendar status: 正式 (loaded) or 暂定 (statutory holidays only). */
export function calendarBadge(status) {
  return h('span', {
    class: `badge cal-${status}`, 'data-status': status,
    title: status === 'provisional' ? PROVISIONAL_HINT : '已载入国务院当年放假安排',
  }, CALENDAR_STATUSES[status] || status);
}

/** The years a deadline falls in, for the 暂定 mark when the server names none. */
export function dueYears(due) {
  if (!due) return [];
  // 00:00 ends the day before: a deadline at 2027-01-01 00:00 is 2026's.
  const d = new Date(new Date(due).getTime() - 1000);
  return [Number(new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric' }).format(d))];
}

/** A deadline: the date, "剩余 3天" / "已逾期 2天", coloured; 暂定 when its year is provisional.
 * `overdue` (the server's word) wins over the clock comparison. */
export function deadlineCell(due, now, {
  name, basis, period, provisional = false, provisionalYears, holder, overdue,
} = {}) {
  if (!due) return h('span', { class: 'muted' }, '—');
  let state = deadlineState(due, now);
  if (overdue === true) state = 'overdue';
  const what = [name, period ? periodName(period) : '', holder ? `${holderName(holder)}期限` : ''].filter(Boolean).join(' · ');
  return h('div', { class: `deadline ${state}${provisional ? ' is-provisional' : ''}` },
    h('div', { class: 'due' }, fmtTime(due, { deadline: true }),
      provisional ? provisionalBadge(provisionalYears && provisionalYears.length ? provisionalYears : dueYears(due)) : null,
      state === 'overdue' ? h('span', { class: 'badge overdue' }, '已逾期') : null,
      state === 'soon' ? h('span', { class: 'badge soon' }, '即将到期') : null),
    h('div', { class: 'left' }, remaining(due, now)),
    what ? h('div', { class: 'small' }, what) : null,
    basis ? h('div', { class: 'small basis', title: basis }, lawName(basis)) : null);
}

/** deadlineCell options for a timer (Case.timers). */
export function timerDeadline(t) {
  return {
    name: t.name, basis: t.basis, period: t.period, holder: t.holder,
    provisional: !!t.provisional, provisionalYears: t.provisional_years,
  };
}

/** deadlineCell options for a task's own due date (Task.due_at). */
export function taskDeadline(t) {
  return {
    name: t.due_name, basis: t.due_basis, provisional: !!t.due_provisional, overdue: t.overdue ? true : undefined,
  };
}

/** The earliest running deadline of a case, with its timer. */
export function nextTimer(c) {
  const timers = [...(c.timers || [])].sort((a, b) => new Date(a.due_at) - new Date(b.due_at));
  return timers[0] || null;
}

/** A refusal or error as a notice; guard refusals and duty conflicts show their article. */
export function problemNotice(err, { onReload } = {}) {
  const p = err.problem || {};
  const article = p.article;
  let head;
  if (article && err.status === 403) head = '职责分离：您不能办理此任务';
  else if (article) head = '依法不能办理（法定限制）';
  else if (err.status === 409) head = '操作冲突';
  else if (err.status === 403) head = '无权操作';
  else if (err.status === 404) head = '未找到';
  else if (err.status === 422) head = '提交内容有误';
  else head = '出错了';
  const stale = err.status === 409 && !article && /version|changed|reload/i.test(p.detail || '');
  return h('div', { class: `notice ${article ? 'refusal' : 'error'}`, role: 'alert', 'data-status': err.status },
    h('strong', {}, head),
    article ? h('div', { class: 'article' }, '依据 ', h('b', { class: 'article-ref' }, lawName(article)), ` (${article})`) : null,
    p.detail ? h('div', { class: 'detail' }, p.detail) : null,
    calendarLink(err),
    stale ? h('div', {}, '案件已被他人更新。',
      onReload ? h('button', { type: 'button', class: 'btn small', onclick: onReload }, '刷新案件') : null) : null);
}

/** A refusal because a year's holiday schedule is not loaded: a link to that year. */
function calendarLink(err) {
  const detail = (err.problem && err.problem.detail) || '';
  if (err.status !== 409) return null;
  const m = /((?:19|20|21)\d{2})\s*年/.exec(detail);
  if (!m || !/尚未载入|未载入|放假安排|holiday|schedule/i.test(detail)) return null;
  return h('div', { class: 'calendar-link' },
    h('a', { href: `#/calendar/${m[1]}` }, `查看 ${m[1]} 年法定节假日安排`),
    h('span', { class: 'small muted' }, '（需管理员载入国务院当年放假安排）'));
}

/** Cases by id, fetched a few at a time. */
export async function fetchCases(ids) {
  const out = new Map();
  const queue = [...new Set(ids)];
  async function worker() {
    while (queue.length) {
      const id = queue.shift();
      try { out.set(id, await api.get(`/cases/${id}`)); } catch { /* gone or forbidden */ }
    }
  }
  await Promise.all(Array.from({ length: Math.min(6, queue.length) }, worker));
  return out;
}

export function caseTitle(c) {
  const d = c.data || {};
  return d.address || d.description || c.case_no;
}
