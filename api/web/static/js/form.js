// A small JSON Schema (2020-12) → HTML form renderer for task forms.
//
// Handles string / number / integer / boolean / enum (and oneOf-const) / date / date-time /
// arrays of enums / objects one level deep. `title` is the label, `description` the help text,
// `required` gets a mark. The form does no validation of its own: the server validates with the
// same schema, and `showErrors(problem.errors)` puts each `{loc, msg}` under its field.

import { h, toLocalInput } from './dom.js';
import { ENUMS, fieldName } from './labels.js';

let counter = 0;

function typeOf(schema) {
  if (!schema) return 'string';
  let t = schema.type;
  if (Array.isArray(t)) t = t.find((x) => x !== 'null') || 'string';
  if (!t && (schema.enum || enumOptions(schema))) t = 'enum';
  if (!t && schema.properties) t = 'object';
  return t || 'string';
}

/** [{value, label}] from enum / oneOf-const / anyOf-const, or null. */
function enumOptions(schema, ui = {}, name = '') {
  const alt = schema.oneOf || schema.anyOf;
  if (Array.isArray(alt) && alt.length && alt.every((s) => s && 'const' in s)) {
    return alt.map((s) => ({ value: s.const, label: s.title || label(name, s.const) }));
  }
  if (Array.isArray(schema.enum)) {
    const names = ui['ui:enumNames'];
    return schema.enum
      .filter((v) => v !== null)
      .map((v, i) => ({ value: v, label: (names && names[i]) || label(name, v) }));
  }
  return null;
}

function label(name, value) {
  const dict = ENUMS[name];
  if (dict && value in dict) return dict[value];
  return String(value);
}

// Chinese for the messages jsonschema and pydantic produce; the original follows in small print.
const MESSAGES = [
  [/is a required property|is required|Field required/i, () => '必填'],
  [/is less than the minimum of (.+)$/, (m) => `不能小于 ${m[1]}`],
  [/is less than or equal to the minimum of (.+)$/, (m) => `必须大于 ${m[1]}`],
  [/is greater than the maximum of (.+)$/, (m) => `不能大于 ${m[1]}`],
  [/is greater than or equal to the maximum of (.+)$/, (m) => `必须小于 ${m[1]}`],
  [/is not of type '(\w+)'/, (m) => `类型不对，应为${{ number: '数字', integer: '整数', string: '文本', boolean: '是/否', object: '对象', array: '列表' }[m[1]] || m[1]}`],
  [/is not one of/, () => '不是允许的选项'],
  [/is not a '(date-time|date|time)'/, (m) => ({ date: '日期格式不对', 'date-time': '日期时间格式不对', time: '时间格式不对' }[m[1]])],
  [/does not match/, () => '格式不对'],
  [/is too long|should be non-empty|expected to be empty/, () => '内容过长'],
  [/is too short/, () => '内容过短'],
  [/unknown field|Additional properties/i, () => '表单中没有此字段'],
  [/is not a multiple of/, () => '数值不符合步长'],
];

export function translate(msg) {
  for (const [re, fn] of MESSAGES) {
    const m = re.exec(msg);
    if (m) return fn(m);
  }
  return null;
}

export function renderForm(schema, uiSchema = {}, data = {}, { readOnly = false } = {}) {
  const form = h('form', { class: 'qw-form', novalidate: true, autocomplete: 'off' });
  const fields = new Map(); // "a" or "a.b" → {wrap, errorBox, read()}
  const summary = h('div', { class: 'form-summary', role: 'alert', hidden: true });
  form.append(summary);

  function build(container, props, required, ui, values, prefix) {
    const order = Array.isArray(ui['ui:order']) ? ui['ui:order'] : [];
    const names = Object.keys(props || {});
    const sorted = [
      ...order.filter((n) => names.includes(n)),
      ...names.filter((n) => !order.includes(n)),
    ];
    for (const name of sorted) {
      const fs = props[name] || {};
      const fui = ui[name] || {};
      if (fui['ui:widget'] === 'hidden') continue;
      const path = prefix ? `${prefix}.${name}` : name;
      const value = values && name in values ? values[name] : fs.default;
      if (typeOf(fs) === 'object' && fs.properties && !prefix) {
        const set = h('fieldset', { class: 'field-group', 'data-field': path },
          h('legend', {}, fs.title || fieldName(name)),
          fs.description ? h('p', { class: 'help' }, fs.description) : null);
        const errorBox = h('div', { class: 'field-error', role: 'alert' });
        set.append(errorBox);
        container.append(set);
        const sub = new Map();
        build(set, fs.properties, fs.required || [], fui, value || {}, path);
        for (const [k, v] of fields) if (k.startsWith(`${path}.`)) sub.set(k.slice(path.length + 1), v);
        fields.set(path, {
          wrap: set,
          errorBox,
          read() {
            const out = {};
            for (const [k, f] of sub) {
              const v = f.read();
              if (v !== undefined) out[k] = v;
            }
            return Object.keys(out).length ? out : undefined;
          },
          nested: true,
        });
        continue;
      }
      container.append(field(name, path, fs, fui, value, required.includes(name)));
    }
  }

  function field(name, path, fs, ui, value, isRequired) {
    const id = `f${++counter}-${path.replace(/\W/g, '_')}`;
    const title = ui['ui:title'] || fs.title || fieldName(name);
    const disabled = readOnly || fs.readOnly || ui['ui:readonly'];
    const helpText = ui['ui:help'] || fs.description;
    const errorBox = h('div', { class: 'field-error', id: `${id}-err`, role: 'alert' });
    const wrap = h('div', { class: 'field', 'data-field': path });
    const lbl = h('label', { for: id }, title, isRequired ? h('span', { class: 'req', title: '必填 required' }, ' *') : null);
    const type = typeOf(fs);
    const options = enumOptions(fs, ui, name);
    let control;
    let read;

    if (options && (ui['ui:widget'] === 'radio' || (options.length <= 3 && ui['ui:widget'] !== 'select'))) {
      control = h('div', { class: 'radios', id, role: 'radiogroup', 'aria-labelledby': `${id}-l` });
      options.forEach((o, i) => {
        control.append(h('label', { class: 'radio' },
          h('input', { type: 'radio', name: id, value: String(i), checked: value === o.value, disabled }),
          ` ${o.label}`));
      });
      lbl.id = `${id}-l`;
      lbl.removeAttribute('for');
      read = () => {
        const r = control.querySelector('input:checked');
        return r ? options[Number(r.value)].value : undefined;
      };
    } else if (options) {
      control = h('select', { id, name: path, disabled },
        h('option', { value: '' }, '— 请选择 —'),
        options.map((o, i) => h('option', { value: String(i), selected: value === o.value }, o.label)));
      read = () => (control.value === '' ? undefined : options[Number(control.value)].value);
    } else if (type === 'boolean') {
      control = h('div', { class: 'radios', id, role: 'radiogroup', 'aria-labelledby': `${id}-l` },
        h('label', { class: 'radio' }, h('input', { type: 'radio', name: id, value: 'true', checked: value === true, disabled }), ' 是'),
        h('label', { class: 'radio' }, h('input', { type: 'radio', name: id, value: 'false', checked: value === false, disabled }), ' 否'));
      lbl.id = `${id}-l`;
      lbl.removeAttribute('for');
      read = () => {
        const r = control.querySelector('input:checked');
        return r ? r.value === 'true' : undefined;
      };
    } else if (type === 'number' || type === 'integer') {
      control = h('input', {
        id, name: path, type: 'text', inputmode: type === 'integer' ? 'numeric' : 'decimal',
        value: value ?? '', disabled, placeholder: ui['ui:placeholder'] || '',
      });
      read = () => {
        const raw = control.value.trim();
        if (raw === '') return undefined;
        const n = Number(raw.replace(/,/g, ''));
        return Number.isFinite(n) ? n : raw; // let the server name the type error
      };
    } else if (type === 'array') {
      const items = fs.items || {};
      const itemOptions = enumOptions(items, {}, name);
      if (itemOptions) {
        control = h('div', { class: 'checks', id });
        itemOptions.forEach((o, i) => control.append(h('label', { class: 'radio' },
          h('input', { type: 'checkbox', value: String(i), checked: Array.isArray(value) && value.includes(o.value), disabled }),
          ` ${o.label}`)));
        read = () => {
          const picked = [...control.querySelectorAll('input:checked')].map((c) => itemOptions[Number(c.value)].value);
          return picked.length ? picked : undefined;
        };
      } else {
        control = h('textarea', { id, name: path, rows: 3, disabled, placeholder: '每行一项 one per line' });
        control.value = Array.isArray(value) ? value.join('\n') : '';
        read = () => {
          const lines = control.value.split('\n').map((s) => s.trim()).filter(Boolean);
          return lines.length ? lines : undefined;
        };
      }
    } else if (type === 'object') {
      control = h('textarea', { id, name: path, rows: 3, disabled, class: 'mono', placeholder: 'JSON' });
      control.value = value ? JSON.stringify(value) : '';
      read = () => {
        const raw = control.value.trim();
        if (!raw) return undefined;
        try { return JSON.parse(raw); } catch { return raw; }
      };
    } else if (fs.format === 'date') {
      control = h('input', { id, name: path, type: 'date', value: value ? String(value).slice(0, 10) : '', disabled });
      read = () => control.value || undefined;
    } else if (fs.format === 'date-time') {
      control = h('input', { id, name: path, type: 'datetime-local', value: value ? toLocalInput(value) : '', disabled });
      // The form speaks Shanghai time; the server gets an offset.
      read = () => (control.value ? `${control.value.length === 16 ? `${control.value}:00` : control.value}+08:00` : undefined);
    } else {
      const long = ui['ui:widget'] === 'textarea' || (fs.maxLength || 0) > 200
        || /(notes|description|reason|remark)$/.test(name);
      control = long
        ? h('textarea', { id, name: path, rows: 3, disabled, placeholder: ui['ui:placeholder'] || '' })
        : h('input', { id, name: path, type: 'text', disabled, placeholder: ui['ui:placeholder'] || '' });
      control.value = value ?? '';
      read = () => (control.value === '' ? undefined : control.value);
    }
    control.setAttribute('aria-describedby', `${id}-err`);
    wrap.append(lbl, control);
    if (helpText) wrap.append(h('div', { class: 'help' }, helpText));
    wrap.append(errorBox);
    fields.set(path, { wrap, errorBox, read, control });
    return wrap;
  }

  const props = schema.properties || {};
  if (Object.keys(props).length === 0) {
    form.append(h('p', { class: 'muted' }, '此任务无需填写表单，确认后提交即可。'));
  }
  build(form, props, schema.required || [], uiSchema || {}, data || {}, '');

  function clearErrors() {
    summary.hidden = true;
    summary.replaceChildren();
    for (const f of fields.values()) {
      f.wrap.classList.remove('has-error');
      f.errorBox.replaceChildren();
    }
  }

  /** Place each error under its field; returns the ones that match no field. */
  function showErrors(errors) {
    clearErrors();
    const unplaced = [];
    let first = null;
    for (const err of errors || []) {
      let loc = (err.loc || []).map(String);
      if (loc[0] === 'body') loc = loc.slice(1);
      if (loc[0] === 'data' && !('data' in props)) loc = loc.slice(1);
      let target = null;
      for (let n = loc.length; n > 0 && !target; n -= 1) target = fields.get(loc.slice(0, n).join('.'));
      const zh = translate(err.msg || '');
      const line = h('div', { class: 'err-line' }, zh || err.msg, zh ? h('span', { class: 'err-en' }, ` (${err.msg})`) : null);
      if (target) {
        target.wrap.classList.add('has-error');
        target.errorBox.append(line);
        first = first || target.wrap;
      } else {
        unplaced.push(err);
      }
    }
    if (unplaced.length) {
      summary.hidden = false;
      summary.append(h('strong', {}, '表单有误：'),
        h('ul', {}, unplaced.map((e) => h('li', {}, `${(e.loc || []).join('.') || '表单'}：${translate(e.msg || '') || ''} ${e.msg}`))));
      first = first || summary;
    }
    if (first) first.scrollIntoView({ block: 'center', behavior: 'smooth' });
    return unplaced;
  }

  function collect() {
    const out = {};
    for (const [path, f] of fields) {
      if (path.includes('.')) continue; // read by its group
      const v = f.read();
      if (v !== undefined) out[path] = v;
    }
    return out;
  }

  return { el: form, collect, showErrors, clearErrors, fields };
}
