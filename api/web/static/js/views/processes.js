// 流程 Processes: the deployed versions, any version's diagram, upload (validate, then deploy).
import { api, session } from '../api.js';
import { download, fmtTime, h } from '../dom.js';
import { renderDiagram } from '../diagram.js';
import { problemNotice } from './shared.js';

export async function render(root, [key, version], ctx) {
  if (key) return showVersion(root, key, Number(version));
  const canDeploy = session.has('designer', 'admin');
  root.append(h('div', { class: 'page-head' }, h('h1', {}, '流程版本 ', h('small', {}, 'Process versions'))));
  if (canDeploy) root.append(uploadPanel(ctx));

  const list = await api.get('/processes');
  const byKey = new Map();
  for (const p of list) {
    if (!byKey.has(p.key)) byKey.set(p.key, []);
    byKey.get(p.key).push(p);
  }
  const table = h('table', { class: 'grid', id: 'process-table' },
    h('thead', {}, h('tr', {}, h('th', {}, '流程标识 key'), h('th', {}, '名称'), h('th', {}, '版本'),
      h('th', {}, '部署时间'), h('th', {}, 'SHA-256'), h('th', {}, ''))),
    h('tbody', {}, list.length ? [...byKey.entries()].sort().flatMap(([k, versions]) => versions
      .sort((a, b) => b.version - a.version)
      .map((p, i) => h('tr', { class: i ? 'older' : '', 'data-key': p.key, 'data-version': p.version },
        h('td', { class: 'mono' }, i ? '' : p.key),
        h('td', {}, p.name),
        h('td', {}, `v${p.version}`, p.latest ? h('span', { class: 'badge ok' }, '最新') : null),
        h('td', {}, fmtTime(p.deployed_at)),
        h('td', { class: 'mono small', title: p.sha256 }, p.sha256.slice(0, 12)),
        h('td', {}, h('a', { class: 'btn small', href: `#/processes/${encodeURIComponent(k)}/${p.version}` }, '查看流程图')))))
      : h('tr', {}, h('td', { colspan: 6, class: 'empty' }, '尚未部署流程。No process is deployed.'))));
  root.append(h('section', { class: 'panel' }, h('h2', {}, '已部署 ', h('small', {}, 'Deployed')), table));
  return null;
}

function uploadPanel({ navigate, setFlash }) {
  const files = h('input', { type: 'file', id: 'bpmn-files', name: 'files', accept: '.bpmn,.xml', multiple: true });
  const report = h('div', { id: 'validation-report', 'aria-live': 'polite' });
  const validate = h('button', { type: 'button', class: 'btn', id: 'validate', disabled: true }, '校验 Validate');
  const deploy = h('button', { type: 'button', class: 'btn primary', id: 'deploy', disabled: true }, '部署 Deploy');

  const formData = () => {
    const fd = new FormData();
    for (const f of files.files) fd.append('files', f, f.name);
    return fd;
  };
  async function runValidate() {
    deploy.disabled = true;
    if (!files.files.length) { report.replaceChildren(); validate.disabled = true; return; }
    validate.disabled = false;
    report.replaceChildren(h('div', { class: 'notice' }, '校验中…'));
    try {
      const r = await api.postForm('/processes/validate', formData());
      report.replaceChildren(validationReport(r));
      deploy.disabled = !r.valid;
    } catch (err) {
      report.replaceChildren(problemNotice(err));
    }
  }
  files.addEventListener('change', runValidate);
  validate.addEventListener('click', runValidate);
  deploy.addEventListener('click', async () => {
    deploy.disabled = true;
    try {
      const r = await api.postForm('/processes', formData());
      const results = Array.isArray(r) ? r : [r];
      setFlash('ok', `已部署：${results.map((x) => `${x.key} v${x.version}`).join('、')}。新立案件使用最新版本，在办案件保持原版本。`);
      navigate('#/processes');
    } catch (err) {
      if (err.status === 422 && err.fieldErrors.length) {
        report.replaceChildren(validationReport({ valid: false, errors: err.fieldErrors.map((e) => e.msg), warnings: [] }));
      } else {
        report.replaceChildren(problemNotice(err));
      }
    }
  });
  return h('section', { class: 'panel', id: 'upload' },
    h('h2', {}, '上传新版本 ', h('small', {}, 'Upload BPMN')),
    h('p', { class: 'small muted' }, '选择一个或多个 .bpmn 文件：先校验，校验通过后才能部署。同一内容再次部署不会产生新版本。',
      h('span', { class: 'en' }, ' Validate first; deploy once valid.')),
    h('div', { class: 'toolbar' }, files, validate, deploy),
    report);
}

function validationReport(r) {
  return h('div', { class: `notice ${r.valid ? 'ok' : 'error'} validation`, 'data-valid': String(r.valid) },
    h('strong', {}, r.valid ? '✔ 校验通过，可以部署。Valid.' : `✘ 校验未通过：${r.errors.length} 个错误。Invalid.`),
    r.errors.length ? h('ul', { class: 'errors' }, r.errors.map((e) => h('li', { class: 'mono' }, e))) : null,
    r.warnings && r.warnings.length ? h('div', {}, h('strong', {}, '提示 Warnings'),
      h('ul', { class: 'warnings' }, r.warnings.map((w) => h('li', { class: 'mono' }, w)))) : null);
}

async function showVersion(root, key, version) {
  const [list, xml] = await Promise.all([
    api.get('/processes'),
    api.get(`/processes/${encodeURIComponent(key)}/versions/${version}/bpmn`),
  ]);
  const versions = list.filter((p) => p.key === key).sort((a, b) => b.version - a.version);
  const meta = versions.find((p) => p.version === version);
  const box = h('div', { class: 'diagram big', id: 'process-diagram' });
  root.append(
    h('div', { class: 'page-head' },
      h('div', {},
        h('h1', {}, meta ? meta.name : key, ' ', h('small', { class: 'mono' }, `${key} v${version}`)),
        h('div', { class: 'subline' },
          meta ? h('span', {}, `部署于 ${fmtTime(meta.deployed_at)}`) : null,
          meta ? h('span', { class: 'mono small', title: meta.sha256 }, `sha256 ${meta.sha256.slice(0, 16)}…`) : null)),
      h('div', { class: 'head-actions' },
        h('select', {
          id: 'version-select',
          onchange: (e) => { location.hash = `#/processes/${encodeURIComponent(key)}/${e.target.value}`; },
        }, versions.map((p) => h('option', { value: p.version, selected: p.version === version }, `v${p.version}${p.latest ? '（最新）' : ''}`))),
        h('button', { type: 'button', class: 'btn', onclick: () => download(`${key}-v${version}.bpmn`, xml, 'application/xml') }, '⬇ BPMN'),
        h('a', { class: 'btn ghost', href: '#/processes' }, '返回列表'))),
    box);
  let viewer = null;
  try {
    viewer = await renderDiagram(box, xml, { height: Math.max(480, window.innerHeight - 220) });
  } catch (err) {
    box.replaceChildren(h('div', { class: 'notice error' }, `流程图无法显示：${err.message}`));
  }
  return () => { if (viewer) viewer.destroy(); };
}
