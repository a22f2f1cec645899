// 系统审计 System trail: what changed the system rather than a case (holiday schedules loaded,
// users added, processes deployed, local legal settings applied, the demo clock set), hash-chained
// like a case's trail.
import { api } from '../api.js';
import { fmtTime, h } from '../dom.js';
import { actionName, roleName } from '../labels.js';
import { auditTabs, trailTable, verifyButton } from './audit.js';

export async function render(root) {
  document.title = '系统审计 · 清违';
  const trail = await api.get('/audit/system');
  let table = trailTable(trail, { id: 'system-audit-table', summary });
  const result = h('div', { id: 'verify-result', 'aria-live': 'polite' });
  const verify = verifyButton({
    result,
    id: 'verify-system',
    check: () => Promise.all([api.get('/audit/system/verify'), api.get('/audit/system')]),
    replace: (fresh) => {
      const next = trailTable(fresh, { id: 'system-audit-table', summary });
      table.replaceWith(next);
      table = next;
      return table;
    },
  });
  const counts = {};
  for (const e of trail) counts[e.action] = (counts[e.action] || 0) + 1;
  root.append(
    h('div', { class: 'page-head' },
      h('h1', {}, '审计 ', h('small', {}, 'Audit')),
      h('div', { class: 'head-actions' }, verify)),
    auditTabs('system'),
    h('p', { class: 'muted small' },
      '系统审计记录不属于某一案件的操作：载入法定节假日安排、添加用户、部署流程、应用地方法定参数、设置演示时钟。',
      '每条记录的哈希 = sha256(上一条哈希 + 本条内容的规范 JSON)，校验会指出第一条不符的记录。',
      h('span', { class: 'en' }, ' Events outside any case, hash-chained like a case trail.')),
    trail.length ? h('div', { class: 'subline system-counts' }, Object.entries(counts).map(([a, n]) => h('span', {
      class: 'badge', 'data-action': a,
    }, `${actionName(a)} ${n}`))) : null,
    result,
    table);
}

const list = (xs) => (Array.isArray(xs) ? xs.join('、') : xs);

/** One line in words for the events the engine writes; other data stays in the JSON. */
function summary(e) {
  const d = e.data || {};
  const parts = [];
  if (e.action === 'calendar_loaded') {
    if (d.year) parts.push(`${d.year}年放假安排`);
    if (d.source) parts.push(`依据 ${d.source}`);
    const rest = d.rest_days_count ?? (Array.isArray(d.rest_days) ? d.rest_days.length : null);
    const work = d.work_days_count ?? (Array.isArray(d.work_days) ? d.work_days.length : null);
    if (rest !== null && rest !== undefined) parts.push(`休息日 ${rest} 天`);
    if (work !== null && work !== undefined) parts.push(`调休上班 ${work} 天`);
    const re = d.recomputed || {};
    if (re.cases !== undefined) parts.push(`重新计算 ${re.cases} 件案件、${re.timers ?? 0} 个期限`);
    if (d.replaced) parts.push(`替换原安排（${d.replaced}）`);
  } else if (e.action === 'user_added') {
    const who = d.username || d.user || d.name;
    if (who) parts.push(`用户 ${who}`);
    if (d.full_name) parts.push(d.full_name);
    if (d.roles) parts.push(`角色 ${list(d.roles.map ? d.roles.map(roleName) : d.roles)}`);
  } else if (e.action === 'process_deployed') {
    if (d.key) parts.push(`${d.key}${d.version ? ` v${d.version}` : ''}`);
    if (d.name) parts.push(d.name);
    if (d.file) parts.push(d.file);
    if (d.sha256) parts.push(`sha256 ${String(d.sha256).slice(0, 12)}`);
  } else if (e.action === 'settings_applied') {
    const now = d.legal || {};
    const before = d.before || null;
    const changed = before ? Object.keys(now).filter((k) => JSON.stringify(now[k]) !== JSON.stringify(before[k])) : [];
    parts.push(before ? (changed.length ? `变更：${changed.join('、')}` : '参数未变') : `首次记录 ${Object.keys(now).length} 项参数`);
  } else if (e.action === 'clock_set') {
    const to = d.now || d.to;
    if (d.from || d.previous) parts.push(`由 ${fmtTime(d.from || d.previous)}`);
    if (to) parts.push(`设为 ${fmtTime(to)}`);
  }
  return parts.length ? parts.join(' · ') : null;
}
