// Pieces several pages use: status/stage badges, deadline cells, error notices, case fetching.
import { api } from '../api.js';
import { fmtTime, h, remaining } from '../dom.js';
import { lawName, periodName, stageName, statusName } from '../labels.js';

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

/** A deadline: the date, "剩余 3天" / "已逾期 2天", coloured. */
export function deadlineCell(due, now, { name, basis, period } = {}) {
  if (!due) return h('span', { class: 'muted' }, '—');
  const state = deadlineState(due, now);
  const what = [name, period ? periodName(period) : ''].filter(Boolean).join(' · ');
  return h('div', { class: `deadline ${state}` },
    h('div', { class: 'due' }, fmtTime(due, { deadline: true }),
      state === 'overdue' ? h('span', { class: 'badge overdue' }, '已逾期') : null,
      state === 'soon' ? h('span', { class: 'badge soon' }, '即将到期') : null),
    h('div', { class: 'left' }, remaining(due, now)),
    what ? h('div', { class: 'small' }, what) : null,
    basis ? h('div', { class: 'small basis', title: basis }, lawName(basis)) : null);
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
    stale ? h('div', {}, '案件已被他人更新。',
      onReload ? h('button', { type: 'button', class: 'btn small', onclick: onReload }, '刷新案件') : null) : null);
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
