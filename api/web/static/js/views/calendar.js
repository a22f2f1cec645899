// 法定节假日安排 Holiday calendar: the years the engine knows, each 正式 (the State Council's
// schedule is loaded) or 暂定 (the statutory holidays only, no 调休); a year's rest days and
// make-up working days; and, for administrators, the form that loads a year's schedule.
import { api, session } from '../api.js';
import { fmtTime, h } from '../dom.js';
import { translate } from '../form.js';
import { PROVISIONAL_HINT } from '../labels.js';
import { calendarBadge, problemNotice } from './shared.js';

const WEEKDAYS = ['日', '一', '二', '三', '四', '五', '六'];
const SOURCE_EXAMPLE = '国办发明电〔2026〕X号';
// The result of the last load, shown once on the year page it leads to.
let lastResult = null;

export async function render(root, [year], ctx) {
  if (year) return showYear(root, Number(year), ctx);
  return listYears(root, ctx);
}

// ---------------------------------------------------------------- dates

const pad = (n) => String(n).padStart(2, '0');
const iso = (d) => `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
const utc = (text) => {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!m) return null;
  const d = new Date(Date.UTC(+m[1], +m[2] - 1, +m[3]));
  return iso(d) === text ? d : null; // 2027-02-30 is refused, not rolled over
};
const weekday = (text) => `周${WEEKDAYS[utc(text).getUTCDay()]}`;
const short = (text) => text.slice(5);
const nextDay = (text) => iso(new Date(utc(text).getTime() + 86400000));

/** "2027-02-05", "2027/2/5", "2.5" or "02-05" (in `year`) → "2027-02-05", or null. */
function parseDay(token, year) {
  let m = /^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$/.exec(token);
  let text = null;
  if (m) text = `${m[1]}-${pad(m[2])}-${pad(m[3])}`;
  else if ((m = /^(\d{1,2})[-/.月](\d{1,2})日?$/.exec(token)) && year) text = `${year}-${pad(m[1])}-${pad(m[2])}`;
  return text && utc(text) ? text : null;
}

/** The dates typed into a box: single days and ranges ("02-05..02-08", "2027-02-05 至 2027-02-08"),
 * separated by spaces, commas, 、 or new lines. → { dates, bad } */
export function parseDates(text, year) {
  const out = new Set();
  const bad = [];
  const normal = String(text || '')
    .replace(/\s*(\.\.|~|～|至|到|—|–)\s*/g, '..')
    .trim();
  if (!normal) return { dates: [], bad };
  for (const token of normal.split(/[\s,，、;；]+/).filter(Boolean)) {
    const [a, b, ...rest] = token.split('..');
    const from = parseDay(a, year);
    if (b === undefined) {
      if (from) out.add(from); else bad.push(token);
      continue;
    }
    const to = parseDay(b, year || (from && from.slice(0, 4)));
    if (!from || !to || rest.length || to < from) { bad.push(token); continue; }
    let d = from;
    for (let n = 0; d <= to && n < 400; n += 1) { out.add(d); d = nextDay(d); }
    if (d <= to) bad.push(token);
  }
  return { dates: [...out].sort(), bad };
}

/** Consecutive dates as ranges, for the text boxes: "2027-02-05..2027-02-08". */
function compact(dates) {
  const sorted = [...dates].sort();
  const parts = [];
  for (let i = 0; i < sorted.length;) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === nextDay(sorted[j])) j += 1;
    parts.push(i === j ? sorted[i] : `${sorted[i]}..${sorted[j]}`);
    i = j + 1;
  }
  return parts.join('\n');
}

/** Rest days as blocks of consecutive days, each named after its holidays. */
function restBlocks(cal) {
  const names = new Map((cal.holidays || []).map((x) => [x.date, x.name]));
  const days = [...(cal.rest_days || [])].sort();
  const blocks = [];
  for (const d of days) {
    const last = blocks[blocks.length - 1];
    if (last && nextDay(last.days[last.days.length - 1]) === d) last.days.push(d);
    else blocks.push({ days: [d] });
  }
  for (const b of blocks) {
    // "春节补假" belongs to 春节; a generic "休息日" only names a block with nothing better.
    const base = (d) => (names.get(d) || '').replace(/补假$/, '');
    const named = [...new Set(b.days.map(base).filter((n) => n && n !== '休息日'))];
    b.name = named.length ? named.join('、') : '休息日';
    if (b.days.some((d) => /补假$/.test(names.get(d) || ''))) b.name += '（含补假）';
  }
  return { blocks, names };
}

// ---------------------------------------------------------------- the list of years

async function listYears(root, ctx) {
  const isAdmin = session.has('admin');
  document.title = '法定节假日安排 · 清违';
  root.append(
    h('div', { class: 'page-head' }, h('div', {},
      h('h1', {}, '法定节假日安排 ', h('small', {}, 'Holiday calendar')),
      h('div', { class: 'subline' }, h('span', {}, '工作日期限与期满顺延都按当年国务院放假安排计算。')))),
    intro());
  const years = await api.get('/calendar');
  years.sort((a, b) => b.year - a.year); // the years ahead first: they are the ones to load
  // The last few years and any provisional one up front; the older (official) years folded.
  const newest = years.length ? years[0].year : 0;
  const recent = years.filter((y) => y.year >= newest - 3 || y.status === 'provisional');
  const older = years.filter((y) => !recent.includes(y));
  root.append(h('section', { class: 'panel' },
    h('h2', {}, '年度 ', h('small', {}, 'Years')),
    yearTable(recent, 'calendar-years'),
    older.length ? h('details', { class: 'more-years', id: 'older-years' },
      h('summary', {}, `更早年度 ${older[older.length - 1].year}–${older[0].year}（${older.length} 个年度，`,
        `${older.every((y) => y.status === 'official') ? '均为正式' : '含暂定'}）`),
      yearTable(older, 'calendar-years-older')) : null));
  if (isAdmin) {
    const firstProvisional = [...years].reverse().find((y) => y.status === 'provisional');
    root.append(loadPanel({ year: null, suggested: firstProvisional ? firstProvisional.year : null, ctx }));
  } else {
    root.append(readOnlyNote());
  }
}

function yearTable(years, id) {
  return h('table', { class: 'grid cal-years stack', id },
    h('thead', {}, h('tr', {},
      h('th', {}, '年度'), h('th', {}, '状态'), h('th', {}, '依据文件'), h('th', {}, '载入时间'),
      h('th', {}, '载入人'), h('th', {}, ''))),
    h('tbody', {}, years.length ? years.map((y) => h('tr', {
      'data-year': y.year, 'data-status': y.status, class: y.status === 'provisional' ? 'provisional' : '',
    },
    h('td', { class: 'inline' }, h('a', { href: `#/calendar/${y.year}`, class: 'year-link' }, `${y.year}年`)),
    h('td', { class: 'inline' }, calendarBadge(y.status)),
    h('td', { 'data-label': y.status === 'provisional' ? '推算依据' : '依据文件' }, y.source || '—',
      y.status === 'provisional' ? h('div', { class: 'small muted' }, '国务院放假安排尚未载入，按法定节日暂定') : null),
    h('td', { class: ['nowrap', !y.loaded_at && 'hide-narrow'], 'data-label': '载入时间' }, y.loaded_at ? fmtTime(y.loaded_at) : '—'),
    h('td', { class: !y.loaded_by && 'hide-narrow', 'data-label': '载入人' }, y.loaded_by || '—'),
    h('td', { class: 'hide-narrow' }, h('a', { class: 'btn small', href: `#/calendar/${y.year}` }, '查看'))))
      : h('tr', {}, h('td', { colspan: 6, class: 'empty' }, '没有年度数据。'))));
}

function intro() {
  return h('div', { class: 'notice cal-intro' },
    h('div', {}, calendarBadge('official'), ' 已载入国务院当年放假安排（含调休上班日）。'),
    h('div', {}, calendarBadge('provisional'), ` ${PROVISIONAL_HINT}（无调休）。在此期间算出的期限标注“暂定”，载入正式安排后自动重新计算。`),
    h('div', { class: 'en' }, 'Official: the State Council schedule is loaded. Provisional: statutory holidays only; deadlines on it are marked 暂定 and recomputed when the schedule is loaded.'));
}

function readOnlyNote() {
  return h('p', { class: 'muted small', id: 'calendar-readonly' },
    '只读：载入或更新年度放假安排需管理员权限。Read-only: only an administrator can load a schedule.');
}

// ---------------------------------------------------------------- one year

async function showYear(root, year, ctx) {
  document.title = `${year}年法定节假日安排 · 清违`;
  const cal = await api.get(`/calendar/${year}`);
  const result = lastResult && lastResult.year === year ? lastResult : null;
  lastResult = null;
  drawYear(root, cal, result, ctx);
}

function drawYear(root, cal, result, ctx) {
  const { year } = cal;
  const isAdmin = session.has('admin');
  root.replaceChildren();
  root.append(h('div', { class: 'page-head' },
    h('div', {},
      h('h1', {}, `${year}年 法定节假日安排 `, h('span', { id: 'year-status' }, calendarBadge(cal.status))),
      h('div', { class: 'subline' },
        cal.status === 'official'
          ? [h('span', { id: 'year-source' }, `依据：${cal.source || '—'}`),
            cal.loaded_at ? h('span', {}, `载入于 ${fmtTime(cal.loaded_at)}${cal.loaded_by ? `（${cal.loaded_by}）` : ''}`) : null]
          : h('span', {}, '尚未载入国务院放假安排'),
        h('span', {}, `休息日 ${(cal.rest_days || []).length} 天 · 调休上班 ${(cal.work_days || []).length} 天`))),
    h('div', { class: 'head-actions' },
      h('a', { class: 'btn small', href: `#/calendar/${year - 1}`, title: `${year - 1}年` }, `‹ ${year - 1}`),
      h('a', { class: 'btn small', href: `#/calendar/${year + 1}`, title: `${year + 1}年` }, `${year + 1} ›`),
      h('a', { class: 'btn small ghost', href: '#/calendar' }, '全部年度'))));

  if (result) {
    const r = result.recomputed || {};
    root.append(h('div', { class: 'notice ok', id: 'load-result', role: 'status' },
      h('strong', {}, `✔ 已载入 ${year} 年放假安排，状态：正式。`),
      ` 已按新安排重新计算 ${r.cases ?? 0} 件案件的 ${r.timers ?? 0} 个期限；期限未变的案件只去掉“暂定”标记。`,
      h('span', { class: 'en' }, ` Loaded; deadlines moved: ${r.timers ?? 0} in ${r.cases ?? 0} case(s).`)));
  }
  if (cal.status === 'provisional') {
    root.append(h('div', { class: 'notice warn', id: 'provisional-year' },
      h('strong', {}, '暂定：'), `${year}年度国务院放假安排尚未载入，以下休息日按《全国年节及纪念日放假办法》的法定节日（含周末补假）暂定，没有调休上班日。`,
      '落在本年度的期限均标注“暂定”，管理员载入正式安排后自动重新计算。'));
  }

  const { blocks, names } = restBlocks(cal);
  const work = [...(cal.work_days || [])].sort();
  root.append(h('div', { class: 'cal-lists' },
    h('section', { class: 'panel', id: 'rest-days' },
      h('h2', {}, '休息日 ', h('small', {}, 'Rest days')),
      blocks.length ? h('ul', { class: 'cal-blocks' }, blocks.map((b) => h('li', { class: 'cal-block' },
        h('div', { class: 'cal-block-head' },
          h('strong', {}, b.name),
          h('span', { class: 'muted' }, b.days.length > 1
            ? `${b.days[0]} 至 ${b.days[b.days.length - 1]}，共 ${b.days.length} 天`
            : `${b.days[0]}，1 天`)),
        h('div', { class: 'day-chips' }, b.days.map((d) => h('span', {
          class: 'day-chip rest', 'data-date': d, title: `${d} ${weekday(d)}${names.get(d) ? ` ${names.get(d)}` : ''}`,
        }, `${short(d)} ${weekday(d)}`, /补假$/.test(names.get(d) || '') ? h('small', {}, ' 补假') : null))))))
        : h('p', { class: 'muted' }, '—')),
    h('section', { class: 'panel', id: 'work-days' },
      h('h2', {}, '调休上班日 ', h('small', {}, 'Make-up working days')),
      work.length ? h('div', { class: 'day-chips' }, work.map((d) => h('span', {
        class: 'day-chip work', 'data-date': d, title: `${d} ${weekday(d)} 调休上班`,
      }, `${short(d)} ${weekday(d)}`)))
        : h('p', { class: 'muted' }, cal.status === 'provisional'
          ? '暂定年度没有调休上班日（国务院通知公布后载入）。'
          : '本年度没有调休上班日。'))));

  root.append(h('section', { class: 'panel', id: 'month-grid' },
    h('h2', {}, '月历 ', h('small', {}, 'Months')),
    h('div', { class: 'legend cal-legend' },
      h('span', { class: 'cell-sample rest' }, '休'), '休息日',
      h('span', { class: 'cell-sample work' }, '班'), '调休上班',
      h('span', { class: 'cell-sample weekend' }, '六'), '周末'),
    monthGrid(cal, names)));

  if (isAdmin) {
    const panel = loadPanel({ year, current: cal, ctx, onLoaded: (after) => drawYear(root, after, after, ctx) });
    // An official year is changed only when the State Council corrects its notice: folded.
    root.append(cal.status === 'official'
      ? h('details', { class: 'panel load-details', id: 'load-details' },
        h('summary', {}, `更新 ${year} 年正式安排（国务院发布更正通知时） `, h('small', { class: 'muted' }, 'Correct the schedule')),
        panel)
      : panel);
  }
  else root.append(readOnlyNote());
}

function monthGrid(cal, names) {
  const rest = new Set(cal.rest_days || []);
  const work = new Set(cal.work_days || []);
  const months = [];
  for (let m = 1; m <= 12; m += 1) {
    const first = new Date(Date.UTC(cal.year, m - 1, 1));
    const days = new Date(Date.UTC(cal.year, m, 0)).getUTCDate();
    const lead = (first.getUTCDay() + 6) % 7; // Monday first
    const cells = [];
    for (let i = 0; i < lead; i += 1) cells.push(h('span', { class: 'cal-cell blank' }));
    for (let d = 1; d <= days; d += 1) {
      const text = `${cal.year}-${pad(m)}-${pad(d)}`;
      const dow = utc(text).getUTCDay();
      const kind = rest.has(text) ? 'rest' : work.has(text) ? 'work' : (dow === 0 || dow === 6) ? 'weekend' : '';
      const note = rest.has(text) ? (names.get(text) || '休息日') : work.has(text) ? '调休上班' : '';
      cells.push(h('span', {
        class: `cal-cell ${kind}`, 'data-date': text, title: `${text} ${weekday(text)}${note ? ` ${note}` : ''}`,
      }, String(d), kind === 'work' ? h('sup', {}, '班') : null));
    }
    months.push(h('div', { class: 'cal-month' },
      h('div', { class: 'cal-month-name' }, `${m}月`),
      h('div', { class: 'cal-week' }, ['一', '二', '三', '四', '五', '六', '日'].map((w) => h('span', { class: 'cal-dow' }, w)), cells)));
  }
  return h('div', { class: 'cal-months' }, months);
}

// ---------------------------------------------------------------- loading a schedule (admin)

function field(name, labelText, control, help) {
  const errorBox = h('div', { class: 'field-error', 'aria-live': 'polite' });
  const wrap = h('div', { class: 'field', 'data-field': name },
    h('label', { for: control.id }, labelText), control, help ? h('div', { class: 'help' }, help) : null, errorBox);
  return { wrap, errorBox, control };
}

function loadPanel({ year, suggested, current, ctx, onLoaded }) {
  const official = current && current.status === 'official';
  const yearInput = h('input', {
    type: 'number', id: 'cal-year', min: 1950, max: 2099, step: 1, value: year || suggested || '', required: true,
  });
  const source = h('input', {
    type: 'text', id: 'cal-source', placeholder: SOURCE_EXAMPLE, maxlength: 200,
  });
  const rest = h('textarea', { id: 'cal-rest', rows: 8, placeholder: '2027-01-01\n2027-02-05..2027-02-11\n…' });
  const work = h('textarea', { id: 'cal-work', rows: 8, placeholder: '2027-02-14\n2027-02-20' });
  const json = h('textarea', {
    id: 'cal-json', rows: 9, class: 'mono',
    placeholder: '{\n  "source": "国办发明电〔2026〕X号",\n  "rest_days": ["2027-01-01", "…"],\n  "work_days": ["2027-02-14"]\n}',
  });
  const fields = {
    year: field('year', '年度 Year', yearInput),
    source: field('source', '依据文件 Source', source, `国务院办公厅通知的文号，例如“${SOURCE_EXAMPLE}”。`),
    rest_days: field('rest_days', '休息日 Rest days', rest,
      '每行一个日期或日期段（如 2027-02-05..2027-02-11，也可写“至”，或只写 02-05）；放假期间的周末可列可不列。'),
    work_days: field('work_days', '调休上班日 Make-up working days', work, '因调休而上班的周末日期；没有则留空。'),
    json: field('json', '粘贴 JSON Paste JSON', json,
      '对象含 rest_days、work_days（日期数组）和 source；也可含 year。'),
  };
  if (official) {
    rest.value = compact(current.rest_days || []);
    work.value = compact(current.work_days || []);
  }

  let mode = 'fields';
  const byFields = h('div', { class: 'mode-fields' }, fields.source.wrap, h('div', { class: 'two-cols' }, fields.rest_days.wrap, fields.work_days.wrap));
  const byJson = h('div', { class: 'mode-json', hidden: true }, fields.json.wrap);
  const modeButtons = h('div', { class: 'tabs small-tabs', role: 'tablist' },
    ['fields', 'json'].map((m) => h('button', {
      type: 'button', role: 'tab', class: m === mode ? 'current' : '', id: `cal-mode-${m}`, 'aria-selected': String(m === mode),
      onclick: () => setMode(m),
    }, m === 'fields' ? '逐项填写' : '粘贴 JSON')));
  function setMode(m) {
    mode = m;
    byFields.hidden = m !== 'fields';
    byJson.hidden = m !== 'json';
    for (const b of modeButtons.children) {
      const on = b.id === `cal-mode-${m}`;
      b.classList.toggle('current', on);
      b.setAttribute('aria-selected', String(on));
    }
    clearErrors();
  }

  const alert = h('div', { class: 'load-alert', 'aria-live': 'polite' });
  const submit = h('button', { type: 'submit', class: 'btn primary', id: 'cal-submit' }, official ? '更新正式安排' : '载入正式安排');
  const fill = h('button', {
    type: 'button', class: 'btn', id: 'cal-fill',
    title: '把当前（暂定或正式）安排的休息日、调休日填入表单，再按国务院通知修改',
    async onclick() {
      const y = Number(yearInput.value);
      if (!y) { showError('year', '请先填写年度。'); return; }
      try {
        const cal = current && current.year === y ? current : await api.get(`/calendar/${y}`);
        rest.value = compact(cal.rest_days || []);
        work.value = compact(cal.work_days || []);
        setMode('fields');
      } catch (err) { alert.replaceChildren(problemNotice(err)); }
    },
  }, '填入当前安排');

  function clearErrors() {
    alert.replaceChildren();
    for (const f of Object.values(fields)) {
      f.wrap.classList.remove('has-error');
      f.errorBox.replaceChildren();
    }
  }
  function showError(name, zh, en) {
    const f = fields[name] || fields.json;
    f.wrap.classList.add('has-error');
    f.errorBox.append(h('div', { class: 'err-line' }, zh, en ? h('span', { class: 'err-en' }, ` (${en})`) : null));
  }

  /** The body to send, or null after showing what is wrong. */
  function collect() {
    let y = Number(yearInput.value);
    let parsed = null;
    if (mode === 'json') {
      try { parsed = JSON.parse(json.value); } catch (err) {
        showError('json', 'JSON 格式有误。', err.message);
        return null;
      }
      if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
        showError('json', '应为一个 JSON 对象，含 rest_days、work_days 和 source。');
        return null;
      }
      if (parsed.year !== undefined && Number(parsed.year) !== y) {
        if (year || yearInput.value) {
          showError('json', `JSON 中的年度 ${parsed.year} 与所填年度 ${yearInput.value || year} 不符。`);
          return null;
        }
        y = Number(parsed.year);
        yearInput.value = String(parsed.year);
      }
    }
    if (!Number.isInteger(y) || y < 1950 || y > 2099) {
      showError('year', '请填写 1950–2099 之间的年度。');
      return null;
    }
    if (parsed) {
      return { year: y, body: { rest_days: parsed.rest_days, work_days: parsed.work_days ?? [], source: parsed.source } };
    }
    let ok = true;
    const r = parseDates(rest.value, y);
    const w = parseDates(work.value, y);
    if (r.bad.length) { showError('rest_days', `无法识别的日期：${r.bad.join('、')}`); ok = false; }
    if (w.bad.length) { showError('work_days', `无法识别的日期：${w.bad.join('、')}`); ok = false; }
    if (!source.value.trim()) { showError('source', `请填写依据文件文号，例如“${SOURCE_EXAMPLE}”。`); ok = false; }
    return ok ? { year: y, body: { rest_days: r.dates, work_days: w.dates, source: source.value.trim() } } : null;
  }

  /** 422 errors at their fields: loc ["body", "rest_days", 3] names the fourth date sent. */
  function showServerErrors(errors, body) {
    const unplaced = [];
    for (const e of errors) {
      const loc = (e.loc || []).map(String);
      const name = ['year', 'source', 'rest_days', 'work_days'].find((k) => loc.includes(k));
      // The engine's messages read "中文 / English"; others go through the form translations.
      const [zhPart, enPart] = String(e.msg || '').split(' / ');
      const zh = enPart !== undefined ? zhPart : translate(e.msg || '');
      const en = enPart !== undefined ? enPart : (zh ? e.msg : null);
      let what = '';
      if (name) {
        const i = Number(loc[loc.indexOf(name) + 1]);
        const list = body && body[name];
        const value = Array.isArray(list) && Number.isInteger(i) && i >= 0 && i < list.length ? String(list[i]) : '';
        if (value && !String(e.msg || '').includes(value)) what = `第 ${i + 1} 项 ${value}：`;
      }
      if (!name) { unplaced.push(e); continue; }
      if (mode === 'json' && name !== 'year') showError('json', `${name}：${what}${zh || e.msg}`, en);
      else showError(name, `${what}${zh || e.msg}`, en);
    }
    alert.append(h('div', { class: 'notice error', role: 'alert' },
      h('strong', {}, `提交内容有误（${errors.length} 处），请更正标出的字段。`),
      unplaced.length ? h('ul', {}, unplaced.map((e) => h('li', {}, `${(e.loc || []).join('.') || '表单'}：${translate(e.msg || '') || e.msg}`))) : null));
  }

  const form = h('form', {
    class: 'qw-form cal-form', id: 'calendar-form', novalidate: true, autocomplete: 'off',
    async onsubmit(ev) {
      ev.preventDefault();
      clearErrors();
      const req = collect();
      if (!req) { alert.append(h('div', { class: 'notice error', role: 'alert' }, '请更正标出的错误后再提交。')); return; }
      submit.disabled = true;
      submit.textContent = '载入中…';
      try {
        const after = await api.put(`/calendar/${req.year}`, req.body);
        if (onLoaded && after.year === year) {
          onLoaded(after);
          window.scrollTo(0, 0);
        } else {
          lastResult = after;
          ctx.navigate(`#/calendar/${after.year || req.year}`);
        }
      } catch (err) {
        if (err.status === 422 && err.fieldErrors.length) showServerErrors(err.fieldErrors, req.body);
        else alert.append(problemNotice(err));
      } finally {
        submit.disabled = false;
        submit.textContent = official ? '更新正式安排' : '载入正式安排';
      }
    },
  },
  year ? null : fields.year.wrap,
  modeButtons, byFields, byJson, alert,
  h('div', { class: 'form-actions' }, submit, fill));

  return h('section', { class: 'panel', id: 'load-calendar' },
    h('h2', {}, year ? `${official ? '更新' : '载入'} ${year} 年正式安排 ` : '载入年度放假安排 ', h('small', {}, 'Load the State Council schedule')),
    h('p', { class: 'small muted' },
      '按国务院办公厅当年的放假通知填写全部休息日和调休上班日。载入后该年度变为“正式”，所有在办案件中落在该年度的期限按新安排重新计算，操作记入系统审计。'),
    form);
}
