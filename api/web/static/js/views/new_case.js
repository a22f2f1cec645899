// 立案 New case: the intake fields of the data dictionary (API.md), validated by the server
// against the process's own start form (the API has no route that serves that form; its 422
// errors are shown at these fields, or above the form for a field this page lacks).
import { api } from '../api.js';
import { h } from '../dom.js';
import { renderForm } from '../form.js';
import { filePicker, uploadAll } from '../evidence.js';
import { problemNotice } from './shared.js';

const INTAKE = {
  title: '线索登记',
  type: 'object',
  required: ['address', 'district', 'source', 'use_type', 'construction_ongoing', 'party_known'],
  properties: {
    address: { title: '地址', description: 'Address of the structure.', type: 'string' },
    district: { title: '区县/街道', description: 'District.', type: 'string' },
    source: { title: '线索来源', description: 'Where the lead came from.', enum: ['hotline', 'patrol', 'satellite', 'referral', 'self_report'] },
    description: { title: '情况描述', description: 'What was found.', type: 'string', maxLength: 2000 },
    area_m2: { title: '面积（平方米）', description: 'Area in square metres.', type: 'number', minimum: 0 },
    use_type: { title: '用途', description: 'Use of the structure.', enum: ['residential', 'business', 'production', 'public', 'construction_site'] },
    construction_ongoing: { title: '仍在施工', description: 'Construction still going on (fast track).', type: 'boolean' },
    party_known: { title: '当事人明确', description: 'The party is known.', type: 'boolean' },
    party_name: { title: '当事人', description: 'Name of the party.', type: 'string' },
    party_id_no: { title: '证件号码', description: 'ID or registration number.', type: 'string' },
    party_phone: { title: '联系电话', description: 'Phone.', type: 'string' },
    location: {
      title: '坐标', description: 'GPS location.', type: 'object',
      properties: { lat: { title: '纬度', type: 'number' }, lon: { title: '经度', type: 'number' } },
    },
    reporter: { title: '举报人', description: 'Reporter (may be anonymous).', type: 'string' },
    legal_basis: { title: '适用法条', description: 'Legal basis (default URPL Art. 64).', enum: ['URPL64', 'URPL65', 'LAL77', 'LAL78'], default: 'URPL64' },
  },
};

export async function render(root, _params, { navigate, setFlash }) {
  root.append(h('div', { class: 'page-head' }, h('h1', {}, '立案 ', h('small', {}, 'New case'))));
  const processes = (await api.get('/processes')).filter((p) => p.latest);
  if (!processes.length) {
    root.append(h('div', { class: 'notice warn' }, '尚未部署流程，无法立案。No process is deployed.'));
    return;
  }
  const pick = h('select', { id: 'process-key' }, processes.map((p) => h('option', {
    value: p.key, selected: p.key === 'enforcement',
  }, `${p.name}（${p.key} v${p.version}）`)));
  const form = renderForm(INTAKE, { 'ui:order': Object.keys(INTAKE.properties) }, {});
  const alert = h('div', {});
  const submit = h('button', { type: 'submit', class: 'btn primary' }, '立案 Open case');
  form.el.prepend(h('div', { class: 'field' }, h('label', { for: 'process-key' }, '适用流程 Process'), pick));
  // Site photos (the first geotagged one fills the case's location when 坐标 is left empty),
  // video, scans: uploaded to the new case right after it is opened.
  const picker = filePicker({
    id: 'intake-evidence',
    label: '现场照片及其他证据 Photos and other evidence',
    hint: '坐标未填时，以第一张带 GPS 定位的照片确定案件位置。The first geotagged photo fills an empty location.',
  });
  form.el.append(picker.el, h('div', { class: 'form-actions' }, submit, h('a', { class: 'btn ghost', href: '#/tasks' }, '取消')));
  form.el.addEventListener('submit', async (e) => {
    e.preventDefault();
    alert.replaceChildren();
    form.clearErrors();
    submit.disabled = true;
    try {
      const c = await api.post('/cases', { process_key: pick.value, data: form.collect() });
      const { done, refused } = await uploadAll(c.id, picker.files);
      if (refused.length) {
        setFlash('warn', `已立案：${c.case_no}；${refused.length} 个文件未上传：${refused.map((r) => `${r.name}（${r.why}）`).join('；')}`);
      } else {
        setFlash('ok', `已立案：${c.case_no}${done.length ? `，已上传 ${done.length} 个证据文件` : ''}`);
      }
      navigate(`#/cases/${c.id}`);
    } catch (err) {
      if (err.status === 422 && err.fieldErrors.length) form.showErrors(err.fieldErrors);
      else alert.append(problemNotice(err));
    } finally {
      submit.disabled = false;
    }
  });
  root.append(h('section', { class: 'panel narrow' }, alert, form.el));
}
