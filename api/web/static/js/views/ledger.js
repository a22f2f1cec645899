// 台账 Ledger: counts by stage, overdue cases, areas found and demolished, filters, CSV download.
import { api, serverNow } from '../api.js';
import { download, fmtNumber, fmtTime, h } from '../dom.js';
import { STAGES, STATUSES, stageName, statusName } from '../labels.js';
import { caseTitle, deadlineCell, nextTimer, stageBadge, statusBadge, timerDeadline } from './shared.js';

const PAGE_SIZE = 20;

export async function render(root, _params, { navigate, query }) {
  const filters = {
    status: query.get('status') || '',
    stage: query.get('stage') || '',
    overdue: query.get('overdue') === 'true',
    q: query.get('q') || '',
    page: Number(query.get('page') || 1),
  };
  const go = (changes) => {
    const next = { ...filters, ...changes };
    if (!('page' in changes)) next.page = 1;
    const qs = new URLSearchParams();
    if (next.status) qs.set('status', next.status);
    if (next.stage) qs.set('stage', next.stage);
    if (next.overdue) qs.set('overdue', 'true');
    if (next.q) qs.set('q', next.q);
    if (next.page > 1) qs.set('page', String(next.page));
    const text = qs.toString();
    navigate(`#/ledger${text ? `?${text}` : ''}`);
  };

  const csvButton = h('button', {
    type: 'button', class: 'btn', id: 'ledger-csv',
    async onclick() {
      csvButton.disabled = true;
      try {
        const res = await api.raw('/ledger.csv');
        download('ledger.csv', await res.blob());
      } finally { csvButton.disabled = false; }
    },
  }, '⬇ 导出台账 CSV');
  root.append(h('div', { class: 'page-head' }, h('h1', {}, '违法建设台账 ', h('small', {}, 'Ledger')), csvButton));

  const [stats, page, clock] = await Promise.all([
    api.get('/ledger/stats'),
    api.get('/cases', {
      status: filters.status, stage: filters.stage, overdue: filters.overdue ? 'true' : '',
      q: filters.q, page: filters.page, page_size: PAGE_SIZE,
    }),
    serverNow({ refresh: true }),
  ]);

  // ----- statistics
  const by = stats.by_status || {};
  root.append(h('div', { class: 'cards' },
    stat(String(stats.total), '案件总数 Cases', () => go({ status: '', stage: '', overdue: false, q: '' })),
    stat(String(by.open || 0), '办理中 Open', () => go({ status: 'open' })),
    stat(String(by.suspended || 0), '中止 Suspended', () => go({ status: 'suspended' })),
    stat(String(by.closed || 0), '已结案 Closed', () => go({ status: 'closed' })),
    stat(String(stats.overdue), '逾期案件 Overdue', () => go({ overdue: true }), stats.overdue ? 'overdue' : '', 'stat-overdue',
      '有逾期未办职责或已过期限仍未处理的案件'),
    stat(String(stats.provisional ?? '—'), '暂定期限 Provisional', null, stats.provisional ? 'provisional' : '', 'stat-provisional',
      '有期限落在国务院放假安排尚未载入年度的案件：期限按法定节日暂定计算，载入正式安排后自动重新计算'),
    stat(`${fmtNumber(stats.area_found_m2)} m²`, '查处面积 Area found', null, '', 'stat-area-found'),
    stat(`${fmtNumber(stats.area_demolished_m2)} m²`, '已拆除面积 Demolished', null, '', 'stat-area-demolished')));

  const stageCounts = Object.entries(stats.by_stage || {}).sort((a, b) => b[1] - a[1]);
  const max = Math.max(1, ...stageCounts.map(([, n]) => n));
  root.append(h('section', { class: 'panel', id: 'stage-chart' },
    h('h2', {}, '各阶段案件数 ', h('small', {}, 'Cases by stage')),
    stageCounts.length ? h('div', { class: 'bars' }, stageCounts.map(([stage, n]) => h('button', {
      type: 'button', class: `bar-row ${filters.stage === stage ? 'current' : ''}`, 'data-stage': stage,
      onclick: () => go({ stage: filters.stage === stage ? '' : stage }),
    },
    h('span', { class: 'bar-label' }, stageName(stage)),
    h('span', { class: 'bar' }, h('span', { class: 'bar-fill', style: `width:${(100 * n) / max}%` })),
    h('span', { class: 'bar-num' }, String(n))))) : h('p', { class: 'muted' }, '暂无案件。')));

  // ----- filters
  const status = h('select', { id: 'f-status', onchange: () => go({ status: status.value }) },
    h('option', { value: '' }, '全部状态'),
    Object.entries(STATUSES).map(([k, v]) => h('option', { value: k, selected: filters.status === k }, v)));
  const stage = h('select', { id: 'f-stage', onchange: () => go({ stage: stage.value }) },
    h('option', { value: '' }, '全部阶段'),
    Object.entries(STAGES).map(([k, v]) => h('option', { value: k, selected: filters.stage === k }, v)));
  const overdue = h('input', { type: 'checkbox', id: 'f-overdue', checked: filters.overdue, onchange: () => go({ overdue: overdue.checked }) });
  const q = h('input', { type: 'search', id: 'f-q', value: filters.q, placeholder: '案件编号 Case number' });
  const searchForm = h('form', { class: 'toolbar', onsubmit: (e) => { e.preventDefault(); go({ q: q.value.trim() }); } },
    status, stage, h('label', { class: 'check' }, overdue, ' 只看逾期'), q,
    h('button', { type: 'submit', class: 'btn' }, '查询'),
    (filters.status || filters.stage || filters.overdue || filters.q)
      ? h('button', { type: 'button', class: 'btn ghost', onclick: () => go({ status: '', stage: '', overdue: false, q: '' }) }, '清除筛选') : null);
  root.append(searchForm);

  // ----- the cases
  const pages = Math.max(1, Math.ceil(page.total / PAGE_SIZE));
  root.append(h('table', { class: 'grid ledger stack', id: 'ledger-table' },
    h('thead', {}, h('tr', {},
      h('th', {}, '案件编号'), h('th', {}, '地址'), h('th', {}, '区县'), h('th', {}, '状态'), h('th', {}, '阶段'),
      h('th', { class: 'num' }, '面积 m²'), h('th', {}, '最近期限'), h('th', {}, '更新'))),
    h('tbody', {}, page.items.length ? page.items.map((c) => {
      const t = nextTimer(c);
      const duties = c.overdue_duties || [];
      const late = duties.length > 0 || (t && new Date(t.due_at) <= clock.now);
      return h('tr', { class: late ? 'overdue' : '', 'data-case-id': c.id },
        h('td', {}, h('a', { href: `#/cases/${c.id}`, class: 'case-no' }, c.case_no)),
        h('td', {}, caseTitle(c)),
        h('td', { 'data-label': '区县' }, c.data.district || '—'),
        h('td', { class: 'inline' }, statusBadge(c.status)),
        h('td', { class: 'inline' }, stageBadge(c.stage)),
        h('td', { class: 'num', 'data-label': '面积 m²' }, fmtNumber(c.data.area_m2)),
        h('td', { 'data-label': '最近期限' }, t ? deadlineCell(t.due_at, clock.now, { ...timerDeadline(t), basis: null, period: null, holder: null }) : null,
          duties.length ? h('div', { class: 'duty-late', title: duties.map((x) => x.name).join('、') },
            h('span', { class: 'badge overdue' }, '已逾期'), ` ${duties.length} 项职责逾期未办`) : null,
          !t && !duties.length ? '—' : null),
        h('td', { 'data-label': '更新' }, fmtTime(c.updated_at)));
    }) : h('tr', {}, h('td', { colspan: 8, class: 'empty' }, '没有符合条件的案件。No cases match.')))));
  root.append(h('div', { class: 'pager' },
    h('span', {}, `共 ${page.total} 件${filters.status ? ` · ${statusName(filters.status)}` : ''}${filters.stage ? ` · ${stageName(filters.stage)}` : ''}${filters.overdue ? ' · 逾期' : ''}`),
    h('button', { type: 'button', class: 'btn small', disabled: filters.page <= 1, onclick: () => go({ page: filters.page - 1 }) }, '上一页'),
    h('span', {}, `${filters.page} / ${pages}`),
    h('button', { type: 'button', class: 'btn small', disabled: filters.page >= pages, onclick: () => go({ page: filters.page + 1 }) }, '下一页')));
}

function stat(num, text, onclick, extra = '', id = null, title = null) {
  return h(onclick ? 'button' : 'div', { type: onclick ? 'button' : null, class: `card stat ${extra} ${onclick ? 'clickable' : ''}`, onclick, id, title },
    h('div', { class: 'num' }, num), h('div', {}, text));
}
