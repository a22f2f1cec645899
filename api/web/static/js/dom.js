// Tiny DOM and formatting helpers shared by every page.

export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') el.className = Array.isArray(v) ? v.filter(Boolean).join(' ') : v;
    else if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k === 'value') el.value = v;
    else if (k === 'checked' || k === 'selected' || k === 'disabled') el[k] = !!v;
    else if (k === 'html') el.innerHTML = v; // only ever used with constant markup
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  append(el, children);
  return el;
}

export function append(el, children) {
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false || c === '') continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

export function clear(el) {
  while (el.firstChild) el.removeChild(el.firstChild);
  return el;
}

const TZ = 'Asia/Shanghai';
const parts = (d, opts) => {
  const out = {};
  for (const p of new Intl.DateTimeFormat('en-CA', { timeZone: TZ, hourCycle: 'h23', ...opts }).formatToParts(d)) {
    out[p.type] = p.value;
  }
  return out;
};

/** "2026-02-10 09:00" in Shanghai time; a deadline at 00:00 reads as "…前一日 24:00". */
export function fmtTime(value, { deadline = false } = {}) {
  if (!value) return '—';
  let d = value instanceof Date ? value : new Date(value);
  if (Number.isNaN(d.getTime())) return String(value);
  const p = parts(d, { year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' });
  if (deadline && p.hour === '00' && p.minute === '00' && p.second === '00') {
    d = new Date(d.getTime() - 1000);
    const q = parts(d, { year: 'numeric', month: '2-digit', day: '2-digit' });
    return `${q.year}-${q.month}-${q.day} 24:00`;
  }
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}`;
}

export function fmtDate(value) {
  if (!value) return '—';
  const d = value instanceof Date ? value : new Date(value);
  if (Number.isNaN(d.getTime())) return String(value);
  const p = parts(d, { year: 'numeric', month: '2-digit', day: '2-digit' });
  return `${p.year}-${p.month}-${p.day}`;
}

/** Shanghai wall time "YYYY-MM-DDTHH:MM" for <input type=datetime-local>. */
export function toLocalInput(value) {
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) return '';
  const p = parts(d, { year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' });
  return `${p.year}-${p.month}-${p.day}T${p.hour}:${p.minute}`;
}

export function remaining(due, now) {
  const ms = new Date(due).getTime() - now.getTime();
  const abs = Math.abs(ms);
  const days = Math.floor(abs / 86400000);
  const hours = Math.floor((abs % 86400000) / 3600000);
  const minutes = Math.floor((abs % 3600000) / 60000);
  const text = days > 0 ? `${days}天` : hours > 0 ? `${hours}小时` : `${minutes}分钟`;
  return ms <= 0 ? `已逾期 ${text}` : `剩余 ${text}`;
}

export function download(filename, text, type = 'text/plain;charset=utf-8') {
  const blob = text instanceof Blob ? text : new Blob([text], { type });
  const url = URL.createObjectURL(blob);
  const a = h('a', { href: url, download: filename, style: 'display:none' });
  document.body.append(a);
  a.click();
  setTimeout(() => { URL.revokeObjectURL(url); a.remove(); }, 1000);
}

export function fmtNumber(n, digits = 2) {
  if (n === null || n === undefined || n === '') return '—';
  const x = Number(n);
  if (!Number.isFinite(x)) return String(n);
  return x.toLocaleString('zh-CN', { maximumFractionDigits: digits });
}

export function debounce(fn, ms) {
  let t;
  return (...args) => { clearTimeout(t); t = setTimeout(() => fn(...args), ms); };
}
