// 案件 The case page: data, stage, tasks (with their forms), the party's actions, the diagram,
// running deadlines, documents and the timeline (audit trail).
import { stuckTimerNote } from '../incidents.js';
import { api, serverNow, session } from '../api.js';
import { fmtTime, h, remaining } from '../dom.js';
import { renderDiagram, LEGEND } from '../diagram.js';
import { renderForm } from '../form.js';
import { filePicker, gallery, refusedNotice, uploadAll } from '../evidence.js';
import {
  actionName, fieldName, FIELDS, hasFieldName, lawName, loadFormLabels, messageName, roleName,
  showValue, stageName,
} from '../labels.js';
import {
  deadlineCell, deadlineState, dueYears, problemNotice, provisionalBadge, stageBadge, statusBadge, taskDeadline,
  timerDeadline,
} from './shared.js';

const MESSAGE_ROLES = ['officer', 'head'];

export async function render(root, [caseId, taskParam], { navigate, setFlash }) {
  const id = Number(caseId);
  const taskId = taskParam ? decodeURIComponent(taskParam) : null;
  let viewer = null;

  const [c, trail, diagram, clock, , documents, attachments] = await Promise.all([
    api.get(`/cases/${id}`),
    api.get(`/cases/${id}/audit`),
    api.get(`/cases/${id}/diagram`),
    serverNow({ refresh: true }),
    loadFormLabels(api),
    api.get(`/cases/${id}/documents`),
    api.get(`/cases/${id}/attachments`),
  ]);
  const now = clock.now;
  document.title = `${c.case_no} · 清违`;

  const alerts = h('div', { class: 'alerts', id: 'case-alerts' });
  const reload = () => navigate(`#/cases/${id}`);

  // ---------- header
  const d = c.data || {};
  root.append(h('div', { class: 'page-head case-head' },
    h('div', {},
      h('h1', {}, h('span', { class: 'case-no', id: 'case-no' }, c.case_no), ' ',
        statusBadge(c.status), ' ', h('span', { id: 'case-stage' }, stageBadge(c.stage))),
      h('div', { class: 'subline' },
        d.address ? h('span', {}, d.address) : null,
        d.party_name ? h('span', {}, `当事人：${d.party_name}`) : null,
        d.area_m2 !== undefined ? h('span', {}, `面积：${d.area_m2} m²`) : null,
        h('span', { class: 'muted' }, `流程 ${c.process_key} v${c.process_version}`),
        c.parent_case_id ? h('a', { href: `#/cases/${c.parent_case_id}`, id: 'case-parent' }, `原案件 #${c.parent_case_id}（回头看发现复建）`) : null,
        (c.linked_cases || []).map((x) => h('a', { href: `#/cases/${x}`, class: 'linked-case' }, `复建另案 #${x}`)))),
    h('div', { class: 'head-actions' },
      h('a', { class: 'btn', href: `#/audit/${id}` }, '审计 Audit trail'),
      h('button', { type: 'button', class: 'btn', onclick: reload }, '刷新'))));
  root.append(alerts);

  const main = h('div', { class: 'col-main' });
  const side = h('div', { class: 'col-side' });
  root.append(h('div', { class: 'case-grid' }, main, side));

  // ---------- agency duties past their deadline (they stay until done)
  const duties = c.overdue_duties || [];
  if (duties.length) {
    const od = section('逾期未办职责', 'Overdue duties', 'overdue');
    od.el.classList.add('overdue-panel');
    od.body.append(
      h('p', { class: 'small' }, `以下 ${duties.length} 项法定职责已超过办理期限仍未完成，逾期不影响继续办理，但须尽快办结并说明理由。`,
        h('span', { class: 'en' }, ' Past their deadline and still not done; the work goes on.')),
      h('ul', { class: 'duty-list' }, duties.map((x) => h('li', { 'data-element': x.element_id },
        h('div', { class: 'duty-name' }, h('strong', {}, x.name), h('span', { class: 'badge overdue' }, '已逾期'),
          x.provisional ? provisionalBadge(dueYears(x.due_at)) : null),
        h('div', { class: 'small' }, `期限 ${fmtTime(x.due_at, { deadline: true })} · ${remaining(x.due_at, now)}`,
          dutyTask(c, x) ? ` · 待办任务：${dutyTask(c, x).name}（${roleName(dutyTask(c, x).lane)}）` : ''),
        x.basis ? h('div', { class: 'small basis', title: x.basis }, '依据 ', lawName(x.basis)) : null))));
    main.append(od.el);
  }
  const provisionalDue = [
    ...(c.timers || []).filter((t) => t.provisional).map((t) => (t.provisional_years && t.provisional_years.length ? t.provisional_years : dueYears(t.due_at))),
    ...c.tasks.filter((t) => t.due_at && t.due_provisional).map((t) => dueYears(t.due_at)),
  ];
  if (provisionalDue.length) {
    const years = [...new Set(provisionalDue.flat())].sort();
    alerts.append(h('div', { class: 'notice warn provisional-notice', id: 'provisional-notice' },
      provisionalBadge(years), ' ',
      `本案有 ${provisionalDue.length} 个期限落在${years.map((y) => `${y}年`).join('、')}，该年度国务院放假安排尚未载入，按法定节日暂定计算；管理员载入正式安排后将自动重新计算。`,
      h('span', { class: 'en' }, ' Provisional: computed on the statutory holidays only.')));
  }

  // ---------- tasks and the open form
  const taskSection = section('待办任务', 'Tasks', 'tasks');
  main.append(taskSection.el);
  if (!c.tasks.length) {
    taskSection.body.append(h('p', { class: 'muted' }, c.status === 'closed'
      ? '案件已结案。The case is closed.'
      : '当前没有待办任务（可能在等待期限或当事人行为）。No task is ready: the case waits for a deadline or the party.'));
  }
  for (const t of c.tasks) {
    const mine = session.has(t.lane);
    const open = t.id === taskId;
    const late = t.due_at && (t.overdue || deadlineState(t.due_at, now) === 'overdue');
    taskSection.body.append(h('div', {
      class: `task-row ${open ? 'open' : ''} ${late ? 'overdue' : ''}`, 'data-task-id': t.id,
      'data-overdue': late ? 'true' : null,
    },
    h('div', { class: 'task-main' }, h('strong', {}, t.name), ' ', stageBadge(t.stage),
      h('div', { class: 'small muted' }, `承办：${roleName(t.lane)} · 收到 ${fmtTime(t.created_at)}`),
      t.due_at ? taskDue(t, now) : null),
    mine && !open ? h('a', { class: 'btn primary', href: `#/cases/${id}/task/${encodeURIComponent(t.id)}` }, '办理') : null,
    !mine ? h('span', { class: 'muted small' }, `需${roleName(t.lane)}办理`) : null));
  }
  if (taskId) {
    const task = c.tasks.find((t) => t.id === taskId);
    if (!task) {
      alerts.append(h('div', { class: 'notice warn' }, '此任务已不在待办中（可能已被他人办理）。This task is no longer ready.'));
    } else if (!session.has(task.lane)) {
      alerts.append(h('div', { class: 'notice warn' }, `此任务需${roleName(task.lane)}办理。Only the ${task.lane} lane may complete it.`));
    } else {
      taskSection.body.append(await taskForm(c, task, { alerts, setFlash, navigate }));
    }
  }

  // ---------- the party's actions
  if (c.waiting_messages && c.waiting_messages.length) {
    const msgSection = section('当事人行为', "Party's actions", 'messages');
    main.append(msgSection.el);
    msgSection.body.append(h('p', { class: 'small muted' },
      '案件正在等待以下当事人行为。记录前请核实证据（照片、回执、法院或复议机关文书）。'));
    const canRecord = session.has(...MESSAGE_ROLES);
    const panel = h('div', { class: 'message-panel' });
    msgSection.body.append(h('div', { class: 'message-buttons' }, c.waiting_messages.map((name) => h('button', {
      type: 'button', class: 'btn', 'data-message': name, disabled: !canRecord,
      title: canRecord ? name : '仅执法人员或负责人可记录 officer or head only',
      onclick: () => messageForm(panel, c, name, { alerts, setFlash, navigate }),
    }, messageName(name)))), panel);
  }

  // ---------- diagram
  const diag = section('流程图', 'Process diagram', 'diagram');
  const diagBox = h('div', { class: 'diagram', id: 'case-diagram' });
  diag.body.append(LEGEND(), diagBox);
  main.append(diag.el);

  // ---------- timeline
  const tl = section('办理记录', 'Timeline (audit trail)', 'timeline');
  main.append(tl.el);

  // ---------- side: deadlines, data, documents
  const timers = [...(c.timers || [])].sort((a, b) => new Date(a.due_at) - new Date(b.due_at));
  const dl = section('期限', 'Running deadlines', 'timers');
  dl.body.append(timers.length
    ? h('ul', { class: 'timer-list' }, timers.map((t) => h('li', { 'data-element': t.element_id },
      h('div', { class: 'timer-name' }, t.name),
      deadlineCell(t.due_at, now, { ...timerDeadline(t), name: null }),
      t.stuck ? stuckTimerNote(t, c.id) : null)))
    : h('p', { class: 'muted' }, '没有正在计算的期限。No deadline is running.'));
  side.append(dl.el);

  const data = section('案件信息', 'Case data', 'data');
  data.body.append(dataTable(d));
  side.append(data.el);

  const docs = section('文书', 'Documents', 'documents');
  docs.body.append(documentList(documents, trail, { canWithdraw: session.has('head'), reload }));
  main.append(docs.el);

  const evidence = section('证据材料', 'Evidence', 'evidence');
  const uploader = session.has(...MESSAGE_ROLES);
  // The step an attachment belongs to, by the name the trail gave it (tasks done since).
  const stepNames = new Map(trail.filter((e) => e.action === 'task_completed').map((e) => [e.element_id, e.data && e.data.task]));
  for (const t of c.tasks) stepNames.set(t.element_id, t.name);
  evidence.body.append(gallery(id, attachments, {
    canAdd: uploader, canWithdraw: uploader, onChange: reload,
    taskName: (a) => stepNames.get(a.element_id) || a.element_id || a.task_id,
  }));
  main.append(evidence.el);

  // The diagram after the page is in place (bpmn-js measures its container).
  let names = (elementId) => elementId;
  try {
    viewer = await renderDiagram(diagBox, diagram.bpmn_xml, {
      completed: diagram.completed,
      active: diagram.active,
      waiting: (c.timers || []).map((t) => t.element_id),
      height: 380,
    });
    if (viewer) names = viewer.elementName;
  } catch (err) {
    diagBox.replaceChildren(h('div', { class: 'notice error' }, `流程图无法显示：${err.message}`));
  }
  tl.body.append(timeline(trail, names));

  return () => { if (viewer) viewer.destroy(); };
}

const METHODS = { direct: '直接送达', left: '留置送达', electronic: '电子送达', post: '邮寄送达', public_notice: '公告送达' };

/** Issued 文书: number, hash, issue and service dates; preview in the page, download the PDF
 * (the stored bytes, fetched with the sign-in token, so neither opens a bare URL). A withdrawn
 * document stays listed, struck through, with who withdrew it, when and why; the head withdraws
 * one with a reason (never deleted). Names a task lists without a template stay listed as names. */
function documentList(documents, trail, { canWithdraw = false, reload = () => {} } = {}) {
  const box = h('div', { class: 'documents' });
  const preview = h('div', { class: 'doc-preview', id: 'doc-preview', hidden: true });
  const withdrawBox = h('div', { class: 'doc-withdraw', id: 'doc-withdraw', hidden: true });
  const askWithdraw = (doc) => {
    const reason = h('textarea', { id: 'withdraw-reason', rows: 2, maxlength: 500, 'aria-required': 'true', placeholder: '撤回理由（必填）reason (required)' });
    const error = h('div', { class: 'form-error', role: 'alert' });
    reason.addEventListener('input', () => { error.textContent = ''; });
    const form = h('form', { class: 'doc-withdraw-form', onsubmit: async (ev) => {
      ev.preventDefault();
      if (!reason.value.trim()) { error.textContent = '请填写撤回理由 A reason is required.'; return; }
      try {
        await api.post(`/documents/${doc.id}/withdraw`, { reason: reason.value.trim() });
        reload();
      } catch (err) {
        error.textContent = err.message || String(err);
      }
    } },
    h('p', {}, h('strong', {}, `撤回 ${doc.kind} ${doc.number}`)),
    h('p', { class: 'small muted' }, '文书不会删除：PDF 仍为存档，撤回记入审计，公开核验将显示“已撤回”。The document is not deleted; the withdrawal is audited and verification will say so.'),
    h('label', { for: 'withdraw-reason' }, '撤回理由 Reason'), reason, error,
    h('div', { class: 'form-actions' },
      h('button', { type: 'submit', class: 'btn danger', 'data-action': 'confirm-withdraw' }, '确认撤回 Withdraw'),
      h('button', { type: 'button', class: 'btn ghost', onclick: () => { withdrawBox.hidden = true; withdrawBox.replaceChildren(); } }, '取消 Cancel')));
    withdrawBox.replaceChildren(form);
    withdrawBox.hidden = false;
    reason.focus();
  };
  const pdf = async (doc) => {
    const res = await api.raw(`/documents/${doc.id}/pdf`);
    return URL.createObjectURL(await res.blob());
  };
  if (documents.length) {
    box.append(h('table', { class: 'table doc-table', id: 'doc-table' },
      h('thead', {}, h('tr', {}, ['文书 Kind', '文号 Number', '签发 Issued', '送达 Served', 'SHA-256', ''].map((t) => h('th', {}, t)))),
      h('tbody', {}, documents.map((doc) => h('tr', { 'data-doc': doc.id, class: doc.withdrawn ? 'withdrawn' : '' },
        h('td', {}, h('span', { class: 'doc-icon', 'aria-hidden': 'true' }, '文'), doc.title && doc.title !== doc.kind ? doc.title : doc.kind,
          doc.withdrawn ? h('div', { class: 'small doc-withdrawn' }, h('span', { class: 'badge overdue' }, '已撤回 withdrawn'),
            ` ${doc.withdrawn_reason || ''}（${doc.withdrawn_by || ''} ${fmtTime(doc.withdrawn_at)}）`) : null),
        h('td', { class: 'doc-number' }, doc.number),
        h('td', {}, fmtTime(doc.issued_at)),
        h('td', {}, doc.served_at ? `${doc.served_at} ${METHODS[doc.service_method] || doc.service_method || ''}` : (doc.kind === '送达回证' ? '—' : '未送达')),
        h('td', {}, h('code', { class: 'hash', title: doc.sha256 }, `${doc.sha256.slice(0, 12)}…`)),
        h('td', { class: 'doc-actions' },
          h('button', { type: 'button', class: 'btn small', 'data-action': 'preview', onclick: async () => {
            const url = await pdf(doc);
            preview.replaceChildren(
              h('div', { class: 'doc-preview-head' }, h('strong', {}, `${doc.kind} ${doc.number}`),
                h('button', { type: 'button', class: 'btn small ghost', onclick: () => { preview.hidden = true; preview.replaceChildren(); } }, '关闭 Close')),
              h('iframe', { src: url, title: `${doc.kind} ${doc.number}`, class: 'doc-frame' }));
            preview.hidden = false;
          } }, '预览'),
          h('button', { type: 'button', class: 'btn small', 'data-action': 'download', onclick: async () => {
            const a = h('a', { href: await pdf(doc), download: `${doc.kind}-${doc.number}.pdf` });
            document.body.append(a); a.click(); a.remove();
          } }, '下载'),
          h('a', { class: 'btn small ghost', href: `#/verify/${doc.verify_code}`, title: '公开核验页 public verification' }, '核验'),
          canWithdraw && !doc.withdrawn
            ? h('button', { type: 'button', class: 'btn small ghost', 'data-action': 'withdraw', onclick: () => askWithdraw(doc) }, '撤回')
            : null))))));
  }
  const issued = new Set(documents.map((doc) => doc.kind));
  const named = [];
  for (const e of trail) {
    for (const name of (e.data && e.data.documents) || []) if (!issued.has(name)) named.push({ name, e });
  }
  if (named.length) {
    box.append(h('p', { class: 'small muted' }, '其他文书（无模板，仅记录名称）Other documents (names only):'),
      h('ul', { class: 'doc-list' }, named.map(({ name, e }) => h('li', {},
        h('span', { class: 'doc-icon', 'aria-hidden': 'true' }, '文'), h('strong', {}, name),
        h('div', { class: 'small muted' }, `${(e.data && e.data.task) || ''} · ${fmtTime(e.at)} · ${e.actor}`)))));
  }
  if (!documents.length && !named.length) box.append(h('p', { class: 'muted' }, '尚无文书。No documents yet.'));
  box.append(withdrawBox, preview);
  return box;
}

/** The ready task an overdue duty belongs to (its element_id is the task's). */
function dutyTask(c, duty) {
  return c.tasks.find((t) => t.element_id === duty.element_id) || null;
}

/** A task's own deadline (an agency duty): the date, 暂定, 已逾期. */
function taskDue(t, now) {
  return h('div', { class: 'task-due' },
    h('span', { class: 'small muted' }, `${t.due_name || '办理期限'}：`),
    deadlineCell(t.due_at, now, { ...taskDeadline(t), name: null }));
}

function section(zh, en, key) {
  const body = h('div', { class: 'section-body' });
  const el = h('section', { class: 'panel', id: `sec-${key}` },
    h('h2', {}, zh, h('small', {}, ` ${en}`)), body);
  return { el, body };
}

async function taskForm(c, task, { alerts, setFlash, navigate }) {
  const card = h('div', { class: 'form-card', id: 'task-form' });
  let form;
  try {
    form = await api.get(`/cases/${c.id}/tasks/${encodeURIComponent(task.id)}/form`);
  } catch (err) {
    card.append(problemNotice(err));
    return card;
  }
  const schema = form.schema || {};
  const rendered = renderForm(schema, form.ui_schema || {}, form.data || {});
  const formAlert = h('div', { class: 'form-alert' });
  const submit = h('button', { type: 'submit', class: 'btn primary' }, '提交 Submit');
  const picker = filePicker({ id: 'task-evidence', label: '附件（证据材料）Evidence for this step' });
  rendered.el.append(picker.el, h('div', { class: 'form-actions' }, submit,
    h('a', { class: 'btn ghost', href: `#/cases/${c.id}` }, '取消')));
  rendered.el.addEventListener('submit', async (e) => {
    e.preventDefault();
    formAlert.replaceChildren();
    rendered.clearErrors();
    submit.disabled = true;
    submit.textContent = '提交中…';
    try {
      // The evidence first, bound to this task while it is ready; a refused file stops here.
      // A geotagged photo may fill the case's location (a new case version): read it again.
      let version = c.case_version;
      if (picker.files.length) {
        const { refused } = await uploadAll(c.id, picker.files, { taskId: task.id });
        picker.clear();
        if (refused.length) {
          formAlert.append(refusedNotice(refused));
          return;
        }
        version = (await api.get(`/cases/${c.id}`)).case_version;
      }
      const after = await api.post(`/cases/${c.id}/tasks/${encodeURIComponent(task.id)}/complete`, {
        data: rendered.collect(), case_version: version,
      });
      const next = after.tasks.map((t) => `${t.name}（${roleName(t.lane)}）`).join('、');
      setFlash('ok', `已完成：${task.name}。${next ? `下一步：${next}` : `当前阶段：${stageName(after.stage)}`}`);
      navigate(`#/cases/${c.id}`);
    } catch (err) {
      if (err.status === 422 && err.fieldErrors.length) {
        formAlert.append(h('div', { class: 'notice error', role: 'alert' },
          `请更正标出的 ${err.fieldErrors.length} 处错误后再提交。Please correct the marked fields.`));
        rendered.showErrors(err.fieldErrors);
      } else {
        formAlert.append(problemNotice(err, { onReload: () => navigate(`#/cases/${c.id}/task/${encodeURIComponent(task.id)}`) }));
        formAlert.scrollIntoView({ block: 'center' });
      }
    } finally {
      submit.disabled = false;
      submit.textContent = '提交 Submit';
    }
  });
  card.append(
    h('h3', {}, `办理：${task.name}`),
    schema.title || schema.description
      ? h('p', { class: 'muted' }, schema.title || '', schema.description ? h('span', { class: 'en' }, ` ${schema.description}`) : null)
      : null,
    formAlert,
    rendered.el);
  return card;
}

const MESSAGE_FIELDS = {
  remedy_result: {
    type: 'object',
    required: ['outcome'],
    properties: {
      outcome: { title: '结果', description: 'Outcome of the review or lawsuit.', enum: ['upheld', 'revoked', 'changed'] },
      date: { title: '文书日期', type: 'string', format: 'date' },
      note: { title: '说明', type: 'string', maxLength: 2000 },
    },
  },
  review_filed: {
    type: 'object',
    properties: {
      date: { title: '申请日期', type: 'string', format: 'date' },
      body: { title: '复议机关', type: 'string' },
      note: { title: '说明', type: 'string', maxLength: 2000 },
    },
  },
  lawsuit_filed: {
    type: 'object',
    properties: {
      date: { title: '起诉日期', type: 'string', format: 'date' },
      body: { title: '受理法院', type: 'string' },
      note: { title: '说明', type: 'string', maxLength: 2000 },
    },
  },
};
const DEFAULT_MESSAGE = {
  type: 'object',
  properties: {
    date: { title: '日期', type: 'string', format: 'date' },
    note: { title: '说明（证据）', type: 'string', maxLength: 2000 },
  },
};

function messageForm(panel, c, name, { alerts, setFlash, navigate }) {
  const schema = MESSAGE_FIELDS[name] || DEFAULT_MESSAGE;
  const rendered = renderForm(schema, {}, {});
  const problem = h('div', {});
  const submit = h('button', { type: 'submit', class: 'btn primary' }, `确认记录`);
  const picker = filePicker({ id: 'message-evidence', label: '证据（照片、回执、文书）Evidence: photos, receipts, rulings' });
  rendered.el.append(picker.el, h('div', { class: 'form-actions' }, submit,
    h('button', { type: 'button', class: 'btn ghost', onclick: () => panel.replaceChildren() }, '取消')));
  rendered.el.addEventListener('submit', async (e) => {
    e.preventDefault();
    problem.replaceChildren();
    const payload = rendered.collect();
    if (schema.required && schema.required.some((k) => !(k in payload))) {
      rendered.showErrors(schema.required.filter((k) => !(k in payload)).map((k) => ({ loc: [k], msg: 'is required' })));
      return;
    }
    submit.disabled = true;
    try {
      let version = c.case_version;
      if (picker.files.length) {
        const { refused } = await uploadAll(c.id, picker.files, { message: name });
        picker.clear();
        if (refused.length) {
          problem.append(refusedNotice(refused));
          return;
        }
        version = (await api.get(`/cases/${c.id}`)).case_version;
      }
      const after = await api.post(`/cases/${c.id}/messages`, { name, data: payload, case_version: version });
      setFlash('ok', `已记录：${messageName(name)}。当前阶段：${stageName(after.stage)}`);
      navigate(`#/cases/${c.id}`);
    } catch (err) {
      if (err.status === 422 && err.fieldErrors.length) rendered.showErrors(err.fieldErrors);
      else problem.append(problemNotice(err, { onReload: () => navigate(`#/cases/${c.id}`) }));
    } finally {
      submit.disabled = false;
    }
  });
  panel.replaceChildren(h('div', { class: 'form-card', id: 'message-form', 'data-message': name },
    h('h3', {}, `记录当事人行为：${messageName(name)}`),
    problem, rendered.el));
}

function dataTable(d) {
  const intake = Object.keys(FIELDS).filter((k) => k in d);
  const filled = Object.keys(d).filter((k) => !(k in FIELDS) && hasFieldName(k));
  const rest = Object.keys(d).filter((k) => !hasFieldName(k)).sort();
  const row = (k) => h('tr', { 'data-key': k }, h('th', { title: k }, fieldName(k)), h('td', {}, showValue(k, d[k])));
  const table = (keys) => h('table', { class: 'kv' }, h('tbody', {}, keys.map(row)));
  if (!intake.length && !filled.length && !rest.length) return h('p', { class: 'muted' }, '—');
  return h('div', {},
    intake.length ? table(intake) : null,
    filled.length ? h('details', { class: 'more-data', open: true },
      h('summary', {}, `办理中填写 Entered in tasks (${filled.length})`), table(filled)) : null,
    rest.length ? h('details', { class: 'more-data' },
      h('summary', {}, `其他数据 Other data (${rest.length})`), table(rest)) : null);
}

/** Audit events, newest first, in words. */
export function timeline(trail, names = (x) => x) {
  if (!trail.length) return h('p', { class: 'muted' }, '—');
  return h('ol', { class: 'timeline' }, [...trail].reverse().map((e) => {
    const data = e.data || {};
    let what = actionName(e.action);
    const details = [];
    if (e.action === 'task_completed') {
      what = `完成：${data.task || names(e.element_id)}`;
      const after = data.after || {};
      const keys = Object.keys(after);
      if (keys.length) {
        details.push(h('div', { class: 'kvline' }, keys.map((k) => h('span', {}, `${fieldName(k)}：${showValue(k, after[k])}`))));
      }
    } else if (e.action === 'message_received') {
      what = `当事人行为：${messageName(data.message)}`;
      const p = data.payload || {};
      if (Object.keys(p).length) {
        details.push(h('div', { class: 'kvline' }, Object.entries(p).map(([k, v]) => h('span', {}, `${fieldName(k)}：${showValue(k, v)}`))));
      }
    } else if (e.action === 'timer_fired') {
      what = `期限届满：${data.timer || names(e.element_id)}`;
    } else if (e.action === 'deadline_recomputed') {
      what = `期限重新计算：${data.timer || names(e.element_id)}`;
      details.push(h('div', { class: 'kvline' },
        h('span', {}, `原期限 ${fmtTime(data.old_due_at, { deadline: true })}`),
        h('span', {}, `新期限 ${fmtTime(data.new_due_at, { deadline: true })}`),
        data.provisional_years && data.provisional_years.length
          ? h('span', {}, `仍为暂定（${data.provisional_years.join('、')}年）`)
          : h('span', {}, '已按正式放假安排计算')));
    } else if (e.action === 'guard_refused') {
      what = `依法拒绝：${names(e.element_id)}`;
      if (data.reason) details.push(h('div', { class: 'reason' }, data.reason));
    } else if (e.action === 'attachment_added') {
      what = `上传证据：${data.filename || ''}`;
      details.push(h('div', { class: 'kvline' },
        h('span', {}, `${data.media_type || ''}`),
        data.taken_at ? h('span', {}, `拍摄 ${fmtTime(data.taken_at)}`) : null,
        data.location_filled ? h('span', {}, '已据照片坐标填写案件位置') : null,
        e.element_id ? h('span', {}, `环节：${names(e.element_id)}`) : null,
        data.message ? h('span', {}, `当事人行为：${messageName(data.message)}`) : null,
        h('code', { class: 'hash', title: data.sha256 }, `${String(data.sha256 || '').slice(0, 12)}…`)));
    } else if (e.action === 'document_withdrawn') {
      what = `撤回文书：${data.kind || ''} ${data.number || ''}`;
      if (data.reason) details.push(h('div', { class: 'reason' }, data.reason));
    } else if (e.action === 'attachment_withdrawn') {
      what = `撤回证据：${data.filename || ''}`;
      if (data.reason) details.push(h('div', { class: 'reason' }, data.reason));
    } else if (e.action === 'case_opened') {
      what = `立案受理${data.case_no ? `（${data.case_no}）` : ''}`;
      if (data.parent_case_id) details.push(h('a', { href: `#/cases/${data.parent_case_id}` }, `回头看发现复建，原案件 #${data.parent_case_id}`));
    } else if (e.action === 'linked_case_opened') {
      what = `发现复建，另案处理（${data.case_no || ''}）`;
      details.push(h('a', { href: `#/cases/${data.case_id}` }, `打开新案件 #${data.case_id}`));
    }
    if (data.documents && data.documents.length) {
      details.push(h('div', { class: 'small' }, `文书：${data.documents.join('、')}`));
    }
    return h('li', { class: `ev ev-${e.action}`, 'data-seq': e.seq },
      h('div', { class: 'ev-time' }, fmtTime(e.at)),
      h('div', { class: 'ev-body' },
        h('div', { class: 'ev-what' }, what),
        h('div', { class: 'small muted' }, `${e.actor}${e.roles && e.roles.length ? `（${e.roles.map(roleName).join('、')}）` : ''}`),
        e.basis ? h('div', { class: 'small basis' }, '依据 ', lawName(e.basis)) : null,
        details));
  }));
}

