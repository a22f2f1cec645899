// 审计 Audit: a case's trail with its hashes, the 校验 (verify) button, export as JSONL or CSV.
import { api, session } from '../api.js';
import { download, fmtTime, h } from '../dom.js';
import { actionName, lawName, roleName } from '../labels.js';
import { caseTitle, problemNotice, stageBadge, statusBadge } from './shared.js';

export async function render(root, [caseId], ctx) {
  if (!caseId) return pickCase(root, ctx);
  const id = Number(caseId);
  const [c, trail] = await Promise.all([api.get(`/cases/${id}`), api.get(`/cases/${id}/audit`)]);
  let table = trailTable(trail);
  document.title = `审计 ${c.case_no} · 清违`;

  const result = h('div', { id: 'verify-result', 'aria-live': 'polite' });
  const verify = verifyButton({
    result,
    check: () => Promise.all([api.get(`/cases/${id}/audit/verify`), api.get(`/cases/${id}/audit`)]),
    replace: (fresh) => { table = replaceTable(table, fresh); return table; },
  });

  const exportAs = (format) => async () => {
    try {
      const res = await api.raw(`/cases/${id}/audit/export`, { format });
      download(`${c.case_no}-audit.${format}`, await res.blob());
    } catch (err) {
      result.replaceChildren(problemNotice(err));
    }
  };

  root.append(
    h('div', { class: 'page-head' },
      h('div', {},
        h('h1', {}, '审计记录 ', h('small', {}, 'Audit trail'), ' ', h('a', { href: `#/cases/${id}`, class: 'case-no' }, c.case_no)),
        h('div', { class: 'subline' }, statusBadge(c.status), stageBadge(c.stage), h('span', {}, caseTitle(c)),
          h('span', { class: 'muted' }, `${c.process_key} v${c.process_version}`))),
      h('div', { class: 'head-actions' },
        verify,
        h('button', { type: 'button', class: 'btn', id: 'export-jsonl', onclick: exportAs('jsonl') }, '⬇ JSONL'),
        h('button', { type: 'button', class: 'btn', id: 'export-csv', onclick: exportAs('csv') }, '⬇ CSV'))),
    h('p', { class: 'muted small' },
      '每条记录的哈希 = sha256(上一条哈希 + 本条内容的规范 JSON)。任何一条被修改或删除，校验都会指出第一条不符的记录。',
      h('span', { class: 'en' }, ' hash = sha256(prev_hash + canonical JSON of the event).')),
    result,
    table);
}

/** The 校验 button: asks the server for the verdict and the trail as it is now, shows both. */
export function verifyButton({ result, check, replace, id = 'verify' }) {
  const button = h('button', {
    type: 'button', class: 'btn primary', id,
    async onclick() {
      button.disabled = true;
      result.replaceChildren(h('div', { class: 'notice' }, '校验中… Verifying'));
      try {
        // The trail as it is now, beside the verdict on it.
        const [r, fresh] = await check();
        const table = replace(fresh);
        result.replaceChildren(r.valid
          ? h('div', { class: 'notice ok verify-ok', role: 'status' },
            h('strong', {}, '✔ 校验通过'), ` 共 ${r.events} 条记录，哈希链完整，未被篡改。`,
            h('span', { class: 'en' }, ` Valid: ${r.events} events, the hash chain is intact.`))
          : h('div', { class: 'notice error verify-bad', role: 'alert' },
            h('strong', {}, '✘ 校验失败'), ` 第 ${r.first_bad_seq} 条记录不符（共 ${r.events} 条）。`,
            r.reason ? h('div', {}, r.reason) : null,
            h('span', { class: 'en' }, ` Invalid: event ${r.first_bad_seq} does not match.`)));
        if (!r.valid) {
          const row = table.querySelector(`tr[data-seq="${r.first_bad_seq}"]`);
          if (row) { row.classList.add('bad'); row.scrollIntoView({ block: 'center' }); }
        }
      } catch (err) {
        result.replaceChildren(problemNotice(err));
      } finally {
        button.disabled = false;
      }
    },
  }, '校验 Verify');
  return button;
}

/** 案件审计 | 系统审计: the two trails an auditor reads. */
export function auditTabs(current) {
  return h('nav', { class: 'tabs', 'aria-label': '审计范围' },
    h('a', { href: '#/audit', class: current === 'cases' ? 'current' : '', id: 'tab-cases' }, '案件审计 ', h('small', {}, 'Cases')),
    h('a', { href: '#/audit/system', class: current === 'system' ? 'current' : '', id: 'tab-system' }, '系统审计 ', h('small', {}, 'System trail')));
}

function replaceTable(old, trail) {
  const fresh = trailTable(trail);
  old.replaceWith(fresh);
  return fresh;
}

function short(hash) {
  return hash ? `${hash.slice(0, 10)}…${hash.slice(-6)}` : '—';
}

export function trailTable(trail, { id = 'audit-table', names = actionName, summary = null } = {}) {
  if (!trail.length) {
    return h('table', { class: 'grid audit', id },
      h('tbody', {}, h('tr', {}, h('td', { class: 'empty' }, '尚无记录。No events yet.'))));
  }
  return h('div', { class: 'table-scroll' }, h('table', { class: 'grid audit stack', id },
    h('thead', {}, h('tr', {},
      h('th', {}, '#'), h('th', {}, '时间'), h('th', {}, '操作人'), h('th', {}, '动作'),
      h('th', {}, '环节'), h('th', {}, '依据'), h('th', {}, '数据'), h('th', {}, '前一哈希 prev_hash'), h('th', {}, '哈希 hash'))),
    h('tbody', {}, trail.map((e) => h('tr', { 'data-seq': e.seq, class: `ev-${e.action}` },
      h('td', { class: 'inline seq' }, String(e.seq)),
      h('td', { class: 'nowrap inline' }, fmtTime(e.at)),
      h('td', {}, e.actor, h('div', { class: 'small muted' }, (e.roles || []).map(roleName).join('、'))),
      h('td', {}, names(e.action), h('div', { class: 'small muted mono' }, e.action)),
      h('td', { class: 'mono small', 'data-label': '环节' }, e.element_id || '—'),
      h('td', { class: 'small', 'data-label': '依据' }, e.basis ? lawName(e.basis) : '—'),
      h('td', { 'data-label': '数据' }, summary ? h('div', { class: 'ev-summary' }, summary(e)) : null,
        h('details', {}, h('summary', {}, '查看'), h('pre', { class: 'json' }, JSON.stringify(e.data, null, 2)))),
      h('td', { class: 'mono small', title: e.prev_hash, 'data-label': 'prev_hash' }, short(e.prev_hash)),
      h('td', { class: 'mono small hash', title: e.hash, 'data-label': 'hash' }, short(e.hash)))))));
}

async function pickCase(root, { navigate, query }) {
  const q = query.get('q') || '';
  const input = h('input', { type: 'search', id: 'audit-q', value: q, placeholder: '案件编号 Case number' });
  root.append(
    h('div', { class: 'page-head' }, h('h1', {}, '审计 ', h('small', {}, 'Audit'))),
    session.has('auditor', 'admin') ? auditTabs('cases') : null,
    h('p', { class: 'muted' }, '选择一个案件，查看其带哈希的审计记录并校验。Pick a case to inspect and verify its trail.'),
    h('form', { class: 'toolbar', onsubmit: (e) => { e.preventDefault(); navigate(`#/audit?q=${encodeURIComponent(input.value.trim())}`); } },
      input, h('button', { type: 'submit', class: 'btn' }, '查询')));
  const page = await api.get('/cases', { q, page_size: 50 });
  root.append(h('table', { class: 'grid stack', id: 'audit-cases' },
    h('thead', {}, h('tr', {}, h('th', {}, '案件编号'), h('th', {}, '地址'), h('th', {}, '状态'), h('th', {}, '阶段'), h('th', {}, '更新'), h('th', {}, ''))),
    h('tbody', {}, page.items.length ? page.items.map((c) => h('tr', { 'data-case-id': c.id },
      h('td', {}, h('a', { href: `#/audit/${c.id}`, class: 'case-no' }, c.case_no)),
      h('td', {}, caseTitle(c)),
      h('td', { class: 'inline' }, statusBadge(c.status)),
      h('td', { class: 'inline' }, stageBadge(c.stage)),
      h('td', { 'data-label': '更新' }, fmtTime(c.updated_at)),
      h('td', {}, h('a', { class: 'btn small', href: `#/audit/${c.id}` }, '审计记录'))))
      : h('tr', {}, h('td', { colspan: 6, class: 'empty' }, '没有案件。No cases.')))),
  page.total > page.items.length ? h('p', { class: 'muted small' }, `显示前 ${page.items.length} 件，共 ${page.total} 件；请用搜索缩小范围。`) : null);
}
