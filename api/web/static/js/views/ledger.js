// 台账 Ledger: counts, areas found and demolished, the split by demolition mode, and the cases in
// the shape officers hand upward; every filter (campaign, district, village, stage, status,
// source, mode, dates, overdue, provisional, rebuilt) also applies to the CSV and XLSX exports.
import { api } from '../api.js';
import { download, fmtNumber, h } from '../dom.js';
import { ENUMS, STAGES, STATUSES, stageName, statusName } from '../labels.js';
import { MODE_NAMES } from './campaign_charts.js';
import { useStyles } from './campaigns.js';
import { stageBadge, statusBadge } from './shared.js';

const PAGE_SIZE = 20;
const KEYS = ['campaign', 'district', 'village', 'stage', 'status', 'source', 'mode', 'opened_from', 'opened_to',
  'closed_from', 'closed_to', 'q'];
const FLAGS = ['overdue', 'provisional', 'rebuilt'];
const SOURCES = { ...ENUMS.source, reinspection: '回头看发现复建' };

export async function render(root, _params, { navigate, query }) {
  useStyles();
  const filters = { page: Number(query.get('page') || 1) };
  for (const k of KEYS) filters[k] = query.get(k) || '';
  for (const k of FLAGS) filters[k] = query.get(k) === 'true';
  const params = () => {
    const out = {};
    for (const k of KEYS) if (filters[k]) out[k] = filters[k];
    for (const k of FLAGS) if (filters[k]) out[k] = 'true';
    return out;
  };
  const go = (changes) => {
    const next = { ...filters, ...changes };
    if (!('page' in changes)) next.page = 1;
    const qs = new URLSearchParams();
    for (const k of KEYS) if (next[k]) qs.set(k, next[k]);
    for (const k of FLAGS) if (next[k]) qs.set(k, 'true');
    if (next.page > 1) qs.set('page', String(next.page));
    const text = qs.toString();
    navigate(`#/ledger${text ? `?${text}` : ''}`);
  };

  const exportButton = (id, label, path, filename) => {
    const b = h('button', {
      type: 'button', class: 'btn', id,
      async onclick() {
        b.disabled = true;
        try { download(filename, await (await api.raw(path, params())).blob()); } finally { b.disabled = false; }
      },
    }, label);
    return b;
  };
  root.append(h('div', { class: 'page-head' }, h('h1', {}, '违法建设台账 ', h('small', {}, 'Ledger')),
    h('div', { class: 'head-actions' },
      exportButton('ledger-csv', '⬇ 导出 CSV', '/ledger.csv', 'ledger.csv'),
      exportButton('ledger-xlsx', '⬇ 导出 XLSX', '/ledger.xlsx', 'ledger.xlsx'))));

  const [stats, page, campaigns] = await Promise.all([
    api.get('/ledger/stats', params()),
    api.get('/ledger', { ...params(), page: filters.page, page_size: PAGE_SIZE }),
    api.get('/campaigns'),
  ]);

  // ----- statistics (of the filtered cases)
  const by = stats.by_status || {};
  const modes = stats.by_mode || {};
  root.append(h('div', { class: 'cards' },
    stat(String(stats.total), '案件总数 Cases', () => go({ status: '', stage: '', overdue: false })),
    stat(String(by.open || 0), '办理中 Open', () => go({ status: 'open' })),
    stat(String(by.closed || 0), '已结案 Closed', () => go({ status: 'closed' })),
    stat(String(stats.overdue), '逾期案件 Overdue', () => go({ overdue: true }), stats.overdue ? 'overdue' : '', 'stat-overdue',
      '有逾期未办职责或已过期限仍未处理的案件'),
    stat(String(stats.provisional ?? '—'), '暂定期限 Provisional', () => go({ provisional: true }), stats.provisional ? 'provisional' : '', 'stat-provisional',
      '有期限落在国务院放假安排尚未载入年度的案件：期限按法定节日暂定计算，载入正式安排后自动重新计算'),
    stat(`${fmtNumber(stats.area_found_m2)} m²`, '查处面积 Area found', null, '', 'stat-area-found'),
    stat(`${fmtNumber(stats.area_demolished_m2)} m²`, '已拆除面积 Demolished', null, '', 'stat-area-demolished'),
    stat(Object.keys(MODE_NAMES).map((m) => modes[m] || 0).join(' / '), '自拆/助拆/强拆/没收', null, '', 'stat-modes'),
    stat(String(stats.rebuilt ?? 0), '复建另案 Rebuilt', () => go({ rebuilt: true }), '', 'stat-rebuilt')));

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
  const input = (key, label, attrs = {}) => {
    const el = h('input', { id: `f-${key.replace('_', '-')}`, name: key, value: filters[key], ...attrs });
    return [el, h('label', {}, label, el)];
  };
  const select = (key, label, options, all) => {
    const el = h('select', { id: `f-${key}`, name: key },
      h('option', { value: '' }, all),
      Object.entries(options).map(([k, v]) => h('option', { value: k, selected: filters[key] === k }, v)));
    return [el, h('label', {}, label, el)];
  };
  const campaignOptions = Object.fromEntries(campaigns.map((c) => [String(c.id), c.name]));
  const fields = [
    select('campaign', '专项行动', campaignOptions, '全部'),
    input('district', '区县/街道', { type: 'text', maxlength: 200 }),
    input('village', '村/社区', { type: 'text', maxlength: 200 }),
    select('status', '状态', STATUSES, '全部状态'),
    select('stage', '阶段', STAGES, '全部阶段'),
    select('source', '来源', SOURCES, '全部来源'),
    select('mode', '处置方式', MODE_NAMES, '全部'),
    input('opened_from', '立案自', { type: 'date' }),
    input('opened_to', '立案至', { type: 'date' }),
    input('closed_from', '结案自', { type: 'date' }),
    input('closed_to', '结案至', { type: 'date' }),
    input('q', '案件编号/地址/当事人', { type: 'search', maxlength: 100, placeholder: '案件编号 Case number' }),
  ];
  const flags = FLAGS.map((k) => {
    const el = h('input', { type: 'checkbox', id: `f-${k}`, checked: filters[k] });
    return [k, el, h('label', { class: 'check' }, el, { overdue: ' 只看逾期', provisional: ' 暂定期限', rebuilt: ' 复建另案' }[k])];
  });
  const active = KEYS.some((k) => filters[k]) || FLAGS.some((k) => filters[k]);
  root.append(h('form', {
    class: 'panel toolbar ledger-filters', id: 'ledger-filters',
    onsubmit: (e) => {
      e.preventDefault();
      const changes = {};
      for (const [el] of fields) changes[el.name] = el.value.trim();
      for (const [k, el] of flags) changes[k] = el.checked;
      go(changes);
    },
  },
  fields.map(([, label]) => label),
  flags.map(([, , label]) => label),
  h('div', { class: 'actions' },
    h('button', { type: 'submit', class: 'btn primary' }, '查询'),
    active ? h('button', { type: 'button', class: 'btn ghost', onclick: () => navigate('#/ledger') }, '清除筛选') : null)));

  // ----- the cases
  const pages = Math.max(1, Math.ceil(page.total / PAGE_SIZE));
  root.append(h('table', { class: 'grid ledger stack', id: 'ledger-table' },
    h('thead', {}, h('tr', {},
      ['案件编号', '地址', '区县/村', '当事人', '状态', '阶段', '面积 m²', '处置方式', '拆除 m²', '发现', '销号'].map((x) => h('th', { class: x.includes('m²') ? 'num' : '' }, x)))),
    h('tbody', {}, page.items.length ? page.items.map((r) => h('tr', {
      class: `${r.overdue ? 'overdue' : ''} ${r.provisional ? 'provisional' : ''}`, 'data-case-id': r.case_id,
    },
    h('td', {}, h('a', { href: `#/cases/${r.case_id}`, class: 'case-no' }, r.case_no),
      r.overdue ? h('span', { class: 'badge overdue' }, '逾期') : null,
      r.provisional ? h('span', { class: 'badge provisional', title: '期限按法定节日暂定计算' }, '暂定') : null,
      r.parent_case_id ? h('a', { class: 'badge stage', href: `#/cases/${r.parent_case_id}`, title: '回头看发现复建，原案' }, '复建') : null),
    h('td', {}, r.address || '—'),
    h('td', { 'data-label': '区县/村' }, `${r.district || '—'}${r.village ? ` ${r.village}` : ''}`),
    h('td', { 'data-label': '当事人' }, r.party || '—'),
    h('td', { class: 'inline' }, statusBadge(r.status)),
    h('td', { class: 'inline' }, stageBadge(r.stage)),
    h('td', { class: 'num', 'data-label': '面积 m²' }, fmtNumber(r.area_m2)),
    h('td', { 'data-label': '处置方式' }, MODE_NAMES[r.mode] || (r.mode ? (ENUMS.outcome?.[r.mode] || r.mode) : '—')),
    h('td', { class: 'num', 'data-label': '拆除 m²' }, r.demolished_m2 ? fmtNumber(r.demolished_m2) : '—'),
    h('td', { 'data-label': '发现' }, r.found_on || '—'),
    h('td', { 'data-label': '销号' }, r.closed_out_on || '—')))
      : h('tr', {}, h('td', { colspan: 11, class: 'empty' }, '没有符合条件的案件。No cases match.')))));
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
