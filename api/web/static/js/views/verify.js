// 文书核验 Public verification: anyone holding a document (or its QR code) checks that the agency
// issued it, by the code printed on it or by the SHA-256 of the PDF file. No sign-in.
import { clear, fmtTime, h } from '../dom.js';

export async function render(root, [code]) {
  document.title = '文书核验 · 清违';
  const result = h('div', { id: 'verify-result', 'aria-live': 'polite' });
  const input = h('input', {
    id: 'verify-key', name: 'key', value: code || '', autocomplete: 'off',
    placeholder: '验证码（10位）或 PDF 的 SHA-256', maxlength: 64,
  });
  const check = async (key) => {
    clear(result);
    const k = key.trim();
    if (!k) return;
    const res = await fetch(`/api/v1/verify/documents/${encodeURIComponent(k)}`, { headers: { Accept: 'application/json' } });
    if (!res.ok) {
      result.append(h('div', { class: 'notice error', id: 'verify-bad' },
        '未找到该文书：它不是本机关签发的文书，或验证码有误。',
        h('br'), 'No such document: not issued by this agency, or the code is wrong.'));
      return;
    }
    const v = await res.json();
    const facts = [
      row('文书 Kind', v.kind), row('文号 Number', v.number),
      row('案件编号 Case', v.case_no), row('签发时间 Issued', fmtTime(v.issued_at)),
    ];
    if (v.withdrawn) {
      // Genuine, but no longer in force: said first, with when and why.
      result.append(h('div', { class: 'notice warn', id: 'verify-withdrawn' },
        h('strong', {}, '⚠ 本机关签发，但已撤回，不再有效 Issued by this agency but withdrawn: no longer valid'),
        h('table', { class: 'table' }, h('tbody', {}, ...facts,
          row('撤回时间 Withdrawn', fmtTime(v.withdrawn.at)), row('撤回理由 Reason', v.withdrawn.reason)))));
      return;
    }
    result.append(h('div', { class: 'notice ok', id: 'verify-ok' },
      h('strong', {}, '✔ 真实有效 Genuine'),
      h('table', { class: 'table' }, h('tbody', {}, ...facts))));
  };
  root.append(h('div', { class: 'page-head' }, h('h1', {}, '文书核验', h('small', {}, ' Verify a document'))),
    h('section', { class: 'panel verify-panel' },
      h('p', {}, '输入文书上印制的验证码，或上传/粘贴 PDF 文件的 SHA-256，核对文书是否为本机关签发。'),
      h('p', { class: 'small muted' }, 'Enter the code printed on the document, or the SHA-256 of the PDF file.'),
      h('form', { class: 'verify-form', onsubmit: (e) => { e.preventDefault(); check(input.value); } },
        input,
        h('input', { type: 'file', accept: 'application/pdf', id: 'verify-file', onchange: async (e) => {
          const f = e.target.files[0];
          if (!f) return;
          const digest = await crypto.subtle.digest('SHA-256', await f.arrayBuffer());
          input.value = [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
          check(input.value);
        } }),
        h('button', { type: 'submit', class: 'btn primary' }, '核验 Verify')),
      result));
  if (code) await check(code);
}

function row(k, v) { return h('tr', {}, h('th', {}, k), h('td', {}, v)); }
