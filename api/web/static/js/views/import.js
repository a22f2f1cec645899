// 线索导入 Bulk intake: upload a lead sheet (XLSX, CSV) or a 12345 hotline JSON export, check it
// (dry run: what would be opened, why a row is refused), then import; the result table links
// every case opened. Rows already imported (same source id) are skipped, never duplicated.
import { api, session } from '../api.js';
import { h } from '../dom.js';
import { fmtSize } from '../evidence.js';
import { problemNotice } from './shared.js';

const STATUS = {
  created: ['已立案', 'ok'], would_create: ['将立案', 'ok'], skipped: ['跳过', 'muted'], refused: ['拒绝', 'error'],
};

export async function render(root) {
  document.head.append(h('link', { rel: 'stylesheet', href: 'evidence.css' }));
  root.append(h('div', { class: 'page-head' }, h('h1', {}, '线索导入 ', h('small', {}, 'Import leads'))));
  const processes = (await api.get('/processes')).filter((p) => p.latest);
  const pick = h('select', { id: 'import-process' }, processes.map((p) => h('option', {
    value: p.key, selected: p.key === 'enforcement',
  }, `${p.name}（${p.key} v${p.version}）`)));
  const file = h('input', { type: 'file', id: 'import-file', accept: '.xlsx,.csv,.json' });
  const info = h('span', { class: 'small muted' });
  file.addEventListener('change', () => { info.textContent = file.files[0] ? fmtSize(file.files[0].size) : ''; });
  const officer = session.has('officer');
  const check = h('button', { type: 'button', class: 'btn', id: 'import-check' }, '试运行 Check (dry run)');
  const run = h('button', {
    type: 'button', class: 'btn primary', id: 'import-run', disabled: !officer,
    title: officer ? '' : '仅执法人员可立案 officers only',
  }, '导入 Import');
  const out = h('div', { id: 'import-result' });
  const send = async (dryRun) => {
    out.replaceChildren();
    if (!file.files[0]) { out.append(h('div', { class: 'notice warn' }, '请先选择文件。Choose a file first.')); return; }
    const form = new FormData();
    form.append('file', file.files[0], file.files[0].name);
    form.append('dry_run', dryRun ? 'true' : 'false');
    form.append('process_key', pick.value);
    check.disabled = true; run.disabled = true;
    out.append(h('p', { class: 'muted' }, dryRun ? '检查中… Checking…' : '导入中… Importing (each row opens a case)…'));
    try {
      const report = await api.postForm('/imports/leads', form);
      out.replaceChildren(result(report));
    } catch (err) {
      out.replaceChildren(problemNotice(err));
    } finally {
      check.disabled = false; run.disabled = !officer;
    }
  };
  check.addEventListener('click', () => send(true));
  run.addEventListener('click', () => send(false));
  root.append(h('section', { class: 'panel import-form' },
    h('p', { class: 'small muted' },
      '表头可用中文或英文：地址、区县/街道、线索来源（热线/巡查/卫片/移交/自查）、情况描述、面积、举报人、坐标（纬度,经度）、编号；12345 热线导出的 JSON 按工单编号识别。用途未写时记为住宅（不得断水断电），请在线索核查时更正。',
      h('span', { class: 'en' }, ' Headers in Chinese or English; the 12345 export by ticket number.')),
    h('div', { class: 'field' }, h('label', { for: 'import-process' }, '适用流程 Process'), pick),
    h('div', { class: 'field' }, h('label', { for: 'import-file' }, '线索文件 File (.xlsx / .csv / .json)'), file, ' ', info),
    h('div', { class: 'form-actions' }, check, run)), out);
}

function result(report) {
  const s = report.summary;
  const summary = h('div', { class: 'import-summary', id: 'import-summary' },
    report.dry_run ? h('span', { class: 'badge' }, '试运行：未立案 dry run') : null,
    h('span', { class: 'badge status-open' }, `${report.dry_run ? '将立案' : '已立案'} ${report.dry_run ? s.would_create : s.created}`),
    h('span', { class: 'badge' }, `跳过 ${s.skipped}`),
    h('span', { class: 'badge overdue' }, `拒绝 ${s.refused}`));
  const table = h('table', { class: 'grid stack import-table', id: 'import-table' },
    h('thead', {}, h('tr', {}, ['行 Row', '来源编号 Source id', '地址 Address', '结果 Result', '案件 Case', '原因 Reason'].map((t) => h('th', {}, t)))),
    h('tbody', {}, report.results.map((r) => h('tr', { class: r.status, 'data-row': r.row },
      h('td', { 'data-label': '行' }, String(r.row)),
      h('td', { class: 'mono small', 'data-label': '来源编号' }, r.source_id.startsWith('row:') ? '（按内容识别）' : r.source_id),
      h('td', { 'data-label': '地址' }, r.address || '—'),
      h('td', { 'data-label': '结果' }, STATUS[r.status][0]),
      h('td', { 'data-label': '案件' }, r.case_id ? h('a', { href: `#/cases/${r.case_id}` }, r.case_no) : (r.case_no || '—')),
      h('td', { class: 'reasons small', 'data-label': '原因' }, r.reasons.join('；') || '—')))));
  return h('section', { class: 'panel' }, h('h2', {}, `${report.batch} `, h('small', {}, report.dry_run ? 'Dry run' : 'Imported')), summary, table);
}
