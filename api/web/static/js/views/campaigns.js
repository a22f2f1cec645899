// 专项行动 Campaigns: the list (a head creates one here) and a campaign's dashboard — targets on
// track or behind, districts ranked, the demolition split, the weekly trend, overdue cases and
// those waiting longest, the re-inspection (回头看) lists, the periodic report (通报) download.
import { api, session } from '../api.js';
import { download, fmtNumber, fmtTime, h } from '../dom.js';
import { stageName } from '../labels.js';
import {
  MODE_NAMES, chartPanel, districtsOption, loadECharts, modesOption, stagesOption, trendOption,
} from './campaign_charts.js';

const METRICS = {
  area_demolished_m2: ['拆除面积', 'm²'],
  cases_closed: ['结案数', '件'],
  share_demolished: ['拆除率', ''],
};

export function useStyles() {
  if (document.getElementById('campaigns-css')) return;
  document.head.append(h('link', { rel: 'stylesheet', href: '/campaigns.css', id: 'campaigns-css' }));
}

const pct = (x) => `${(100 * (x || 0)).toFixed(1)}%`;
const metricValue = (metric, v) => (metric === 'share_demolished' ? pct(v) : `${fmtNumber(v)} ${METRICS[metric]?.[1] || ''}`);

export async function render(root, params, ctx) {
  useStyles();
  if (params[0]) return dashboard(root, Number(params[0]), ctx);
  return list(root, ctx);
}

// ---------------------------------------------------------------------------------- the list

async function list(root, { navigate }) {
  root.append(h('div', { class: 'page-head' }, h('h1', {}, '专项行动 ', h('small', {}, 'Campaigns'))));
  const campaigns = await api.get('/campaigns');
  if (!campaigns.length) root.append(h('p', { class: 'muted' }, '尚无专项行动。No campaign yet.'));
  root.append(h('div', { class: 'campaign-list' }, campaigns.map((c) => h('a', { class: 'panel campaign-card', href: `#/campaigns/${c.id}`, 'data-campaign-id': c.id },
    h('h2', {}, c.name),
    h('div', { class: 'muted' }, `${c.starts_on} 至 ${c.ends_on} · ${c.districts.join('、')}`),
    h('div', { class: 'campaign-kpis' },
      h('span', {}, `案件 ${c.totals.cases}`), h('span', {}, `已拆 ${fmtNumber(c.totals.demolished_m2)} m²`),
      h('span', {}, `拆除率 ${pct(c.totals.share_demolished)}`)),
    h('div', {}, c.progress.map((p) => targetBadge(p)))))));
  if (session.has('head')) root.append(campaignForm(navigate));
}

/** The head's form: a new campaign, or (with `c`) the campaign's definition to change. Targets
 * other than area and share, phases, villages and units are kept as they are when editing. */
function campaignForm(navigate, c = null) {
  const field = (label, input) => h('label', { class: 'field' }, h('span', {}, label), input);
  const target = (metric) => (c ? c.targets.find((t) => t.metric === metric) : null);
  const area0 = target('area_demolished_m2');
  const share0 = target('share_demolished');
  const name = h('input', { type: 'text', id: 'c-name', required: true, maxlength: 200, placeholder: '如：XX镇清违行动', value: c ? c.name : '' });
  const starts = h('input', { type: 'date', id: 'c-starts', required: true, value: c ? c.starts_on : '' });
  const ends = h('input', { type: 'date', id: 'c-ends', required: true, value: c ? c.ends_on : '' });
  const districts = h('input', { type: 'text', id: 'c-districts', required: true, placeholder: '用顿号或逗号分隔，如：甲街道、乙镇', value: c ? c.districts.join('、') : '' });
  const area = h('input', { type: 'number', id: 'c-area', min: 0, step: 'any', placeholder: '平方米', value: area0 ? String(area0.value) : '' });
  const areaBy = h('input', { type: 'date', id: 'c-area-by', value: area0 ? area0.by : '' });
  const share = h('input', { type: 'number', id: 'c-share', min: 0, max: 100, step: 'any', placeholder: '%', value: share0 ? String(share0.value * 100) : '' });
  const shareBy = h('input', { type: 'date', id: 'c-share-by', value: share0 ? share0.by : '' });
  const error = h('div', { class: 'notice error', hidden: true });
  const verb = c ? '保存修改' : '设立';
  return h('form', {
    class: 'panel qw-form campaign-form', id: c ? 'campaign-edit' : 'campaign-new',
    async onsubmit(e) {
      e.preventDefault();
      error.hidden = true;
      const targets = (c ? c.targets : []).filter((t) => !['area_demolished_m2', 'share_demolished'].includes(t.metric));
      if (area.value && areaBy.value) targets.push({ metric: 'area_demolished_m2', value: Number(area.value), by: areaBy.value });
      if (share.value && shareBy.value) targets.push({ metric: 'share_demolished', value: Number(share.value) / 100, by: shareBy.value });
      const list = districts.value.split(/[、,，\s]+/).map((x) => x.trim()).filter(Boolean);
      const body = {
        name: name.value.trim(), starts_on: starts.value, ends_on: ends.value, districts: list, targets,
      };
      try {
        if (c) {
          const keep = (m) => Object.fromEntries(Object.entries(m).filter(([d]) => list.includes(d)));
          await api.put(`/campaigns/${c.id}`, {
            ...body, phases: c.phases, villages: keep(c.villages), units: keep(c.units),
            reinspection_on: c.reinspection_on, version: c.version,
          });
          navigate(`#/campaigns/${c.id}`);
        } else {
          const made = await api.post('/campaigns', body);
          navigate(`#/campaigns/${made.id}`);
        }
      } catch (err) {
        error.hidden = false;
        error.textContent = `未能${verb}：${err.message}${(err.problem?.errors || []).map((x) => `；${x.loc.slice(1).join('.')}：${x.msg}`).join('')}`;
      }
    },
  },
  c ? null : h('h2', {}, '设立专项行动 ', h('small', {}, 'New campaign (head)')),
  h('div', { class: 'form-grid' },
    field('名称', name), field('开始日期', starts), field('结束日期', ends), field('区县/街道', districts),
    field('拆除面积目标（m²）', area), field('完成时限', areaBy), field('拆除率目标（%）', share), field('完成时限', shareBy)),
  error,
  h('button', { type: 'submit', class: 'btn primary' }, verb));
}

function targetBadge(p) {
  const [label] = METRICS[p.metric] || [p.metric];
  return h('span', { class: `badge ${p.on_track ? 'ok' : 'overdue'} target-badge`, title: `按趋势预计 ${metricValue(p.metric, p.projected)}` },
    `${label} ${p.on_track ? '正常' : '滞后'}`);
}

// ----------------------------------------------------------------------------- the dashboard

async function dashboard(root, id, { navigate }) {
  const c = await api.get(`/campaigns/${id}`);
  document.title = `${c.name} · 清违 Qingwei`;
  const reportButton = h('button', {
    type: 'button', class: 'btn', id: 'campaign-report',
    async onclick() {
      reportButton.disabled = true;
      try { download(`campaign-${id}-report.xlsx`, await (await api.raw(`/campaigns/${id}/report.xlsx`)).blob()); } finally { reportButton.disabled = false; }
    },
  }, '⬇ 通报 XLSX');
  root.append(h('div', { class: 'page-head' },
    h('div', {},
      h('h1', {}, c.name, ' ', h('small', {}, '专项行动 Campaign')),
      h('div', { class: 'muted campaign-sub' }, `${c.starts_on} 至 ${c.ends_on} · ${c.districts.join('、')}`,
        c.current_phase ? h('span', { class: 'badge stage' }, `当前阶段：${c.current_phase}`) : null)),
    h('div', { class: 'head-actions' }, reportButton,
      h('a', { class: 'btn', href: `#/ledger?campaign=${id}`, id: 'campaign-ledger' }, '台账'))));

  const t = c.totals;
  root.append(h('div', { class: 'cards campaign-cards' },
    kpi(t.cases, '案件数 Cases', 'kpi-cases'),
    kpi(t.closed, '已结案 Closed', 'kpi-closed'),
    kpi(`${fmtNumber(t.found_m2)} m²`, '查处面积 Found', 'kpi-found'),
    kpi(`${fmtNumber(t.demolished_m2)} m²`, '已拆除 Demolished', 'kpi-demolished'),
    kpi(pct(t.share_demolished), '拆除率 Share', 'kpi-share'),
    kpi(t.overdue, '逾期 Overdue', 'kpi-overdue', t.overdue ? 'overdue' : ''),
    kpi(t.rebuilt, '复建另案 Rebuilt', 'kpi-rebuilt')));

  root.append(h('section', { class: 'panel', id: 'campaign-targets' },
    h('h2', {}, '目标进度 ', h('small', {}, 'Targets: on track or behind (projected from the last four weeks)')),
    c.progress.length ? h('div', { class: 'targets' }, c.progress.map(targetRow)) : h('p', { class: 'muted' }, '未设目标。')));

  const area = c.progress.find((p) => p.metric === 'area_demolished_m2');
  const charts = [
    chartPanel('chart-trend', '每周进展', 'Weekly trend', trendOption(c.trend, area)),
    chartPanel('chart-modes', '处置方式', 'Self / assisted / forced / confiscated', modesOption(c.by_mode)),
    chartPanel('chart-districts', '各区县拆除情况', 'Found vs demolished by district', districtsOption(c.by_district)),
    chartPanel('chart-stages', '各阶段案件', 'Cases by stage', stagesOption(c.by_stage, stageName)),
  ];
  root.append(h('div', { class: 'chart-grid' }, charts.map((x) => x.panel)));

  root.append(rankingTable(c));
  root.append(waitingTable(c));
  const reinspection = h('section', { class: 'panel', id: 'campaign-reinspection' },
    h('h2', {}, '回头看清单 ', h('small', {}, 'Re-inspection lists, one per officer')),
    h('button', {
      type: 'button', class: 'btn small', id: 'load-reinspection',
      async onclick(e) {
        e.target.disabled = true;
        const lists = await api.get(`/campaigns/${id}/reinspection`);
        e.target.replaceWith(lists.length ? h('div', {}, lists.map((l) => h('details', { class: 'reinspect-list' },
          h('summary', {}, `${l.officer}：${l.cases.length} 件`),
          h('ul', {}, l.cases.map((x) => h('li', {}, h('a', { href: `#/cases/${x.case_id}` }, x.case_no), ` ${x.district}${x.village ? ` ${x.village}` : ''} · ${x.address} · ${MODE_NAMES[x.mode] || x.mode || '—'} · 结案 ${x.closed_on || '—'}`,
            x.photos.length ? h('span', { class: 'muted' }, ` · 现场照片 ${x.photos.length} 张`) : null))))))
          : h('p', { class: 'muted' }, '尚无已结案件。'));
      },
    }, '列出已结案件'));
  root.append(reinspection);
  if (session.has('head')) {
    root.append(h('details', { class: 'panel campaign-edit' },
      h('summary', {}, '修改专项行动 ', h('small', { class: 'muted' }, `Edit (version ${c.version}; every change is in the system trail)`)),
      campaignForm(navigate, c)));
  }

  // Draw after the panels are in the page (ECharts measures its box).
  let echarts;
  try { echarts = await loadECharts(); } catch (err) {
    root.prepend(h('div', { class: 'notice warn' }, err.message));
    return null;
  }
  if (!root.isConnected) return null;
  const drawn = charts.map((x) => x.mount(echarts));
  const resize = () => drawn.forEach((ch) => ch.resize());
  window.addEventListener('resize', resize);
  root.dataset.chartsReady = 'true';
  return () => { window.removeEventListener('resize', resize); drawn.forEach((ch) => ch.dispose()); };
}

function kpi(num, text, id, extra = '') {
  return h('div', { class: `card stat ${extra}`, id }, h('div', { class: 'num' }, String(num)), h('div', {}, text));
}

function targetRow(p) {
  const [label, unit] = METRICS[p.metric] || [p.metric, ''];
  const ratio = Math.max(0, Math.min(1, p.target ? p.value / p.target : 0));
  return h('div', { class: `target ${p.on_track ? 'on-track' : 'behind'}`, 'data-metric': p.metric },
    h('div', { class: 'target-head' },
      h('strong', {}, label), h('span', { class: 'muted' }, ` 时限 ${p.by}`),
      h('span', { class: `badge ${p.on_track ? 'ok' : 'overdue'}` }, p.on_track ? '正常 on track' : '滞后 behind')),
    h('div', { class: 'target-bar' }, h('span', { style: `width:${(100 * ratio).toFixed(1)}%` })),
    h('div', { class: 'small muted' },
      `当前 ${metricValue(p.metric, p.value)} / 目标 ${metricValue(p.metric, p.target)} · 按近四周速度预计 ${metricValue(p.metric, p.projected)}${unit && p.rate_per_day ? `（每天 ${fmtNumber(p.rate_per_day)} ${unit}）` : ''}`));
}

function rankingTable(c) {
  const rows = [];
  for (const d of c.by_district) {
    rows.push(h('tr', { 'data-district': d.district },
      h('td', { class: 'seq', 'data-label': '排名' }, String(d.rank)),
      h('td', {}, h('strong', {}, d.district), d.unit ? h('div', { class: 'small muted' }, d.unit) : null),
      h('td', { class: 'num', 'data-label': '案件' }, String(d.cases)),
      h('td', { class: 'num', 'data-label': '结案' }, String(d.closed)),
      h('td', { class: 'num', 'data-label': '查处 m²' }, fmtNumber(d.found_m2)),
      h('td', { class: 'num', 'data-label': '已拆 m²' }, fmtNumber(d.demolished_m2)),
      h('td', { class: 'num', 'data-label': '拆除率' }, pct(d.share_demolished)),
      h('td', { class: 'num opt' }, ['self', 'assisted', 'forced', 'confiscated'].map((m) => d.modes[m] || 0).join(' / ')),
      h('td', { class: `num ${d.overdue ? 'late' : ''}`, 'data-label': '逾期' }, String(d.overdue)),
      h('td', { class: 'num', 'data-label': '复建' }, String(d.rebuilt))));
    for (const v of d.villages.length > 1 || (d.villages[0] && d.villages[0].village !== '（未填村/社区）') ? d.villages : []) {
      rows.push(h('tr', { class: 'village-row' },
        h('td', {}, ''),
        h('td', {}, `└ ${v.village}`),
        h('td', { class: 'num', 'data-label': '案件' }, String(v.cases)),
        h('td', { class: 'num', 'data-label': '结案' }, String(v.closed)),
        h('td', { class: 'num', 'data-label': '查处 m²' }, fmtNumber(v.found_m2)),
        h('td', { class: 'num', 'data-label': '已拆 m²' }, fmtNumber(v.demolished_m2)),
        h('td', { class: 'num', 'data-label': '拆除率' }, pct(v.share_demolished)),
        h('td', { class: 'opt' }, ''), h('td', {}, ''),
        h('td', { class: 'num', 'data-label': '复建' }, String(v.rebuilt))));
    }
  }
  return h('section', { class: 'panel', id: 'campaign-ranking' },
    h('h2', {}, '区县排名 ', h('small', {}, 'Ranking (share demolished)')),
    h('div', { class: 'table-scroll' }, h('table', { class: 'grid ranking' },
      h('thead', {}, h('tr', {}, ['排名', '区县/街道（村/社区）', '案件', '结案', '查处 m²', '已拆 m²', '拆除率', '自拆/助拆/强拆/没收', '逾期', '复建'].map((x, i) => h('th', { class: `${i >= 2 ? 'num' : ''} ${i === 7 ? 'opt' : ''}` }, x)))),
      h('tbody', {}, rows))));
}

function waitingTable(c) {
  return h('section', { class: 'panel', id: 'campaign-waiting' },
    h('h2', {}, '久拖未结 ', h('small', {}, 'Open cases waiting longest')),
    c.waiting_longest.length ? h('table', { class: 'grid stack' },
      h('thead', {}, h('tr', {}, ['案件编号', '区县/村', '地址', '阶段', '立案', '已办天数'].map((x) => h('th', {}, x)))),
      h('tbody', {}, c.waiting_longest.map((w) => h('tr', {},
        h('td', {}, h('a', { href: `#/cases/${w.case_id}`, class: 'case-no' }, w.case_no)),
        h('td', { 'data-label': '区县/村' }, `${w.district}${w.village ? ` ${w.village}` : ''}`),
        h('td', { 'data-label': '地址' }, w.address),
        h('td', { 'data-label': '阶段' }, stageName(w.stage)),
        h('td', { 'data-label': '立案' }, fmtTime(w.opened_at)),
        h('td', { class: 'num', 'data-label': '已办天数' }, `${w.days_open} 天`)))))
      : h('p', { class: 'muted' }, '没有未结案件。'));
}
