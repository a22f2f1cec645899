// 证据材料 Evidence: the file picker (drag and drop, or the phone's camera), the upload, and the
// gallery of a case. Used by the intake form, every task form, the party-message form and the
// case page. The server decides what a file is (its content, not its name); its refusals are
// shown beside the file they concern.
import { api } from './api.js';
import { fmtTime, h } from './dom.js';
import { messageName } from './labels.js';

const ACCEPT = 'image/jpeg,image/png,image/heic,image/heif,.heic,.heif,video/mp4,video/quicktime,video/3gpp,application/pdf,audio/*';
const KIND = { image: '照片', video: '视频', audio: '录音', application: '文档' };

let styled = false;
/** The gallery's stylesheet, linked once (it lives beside style.css). */
function ensureStyle() {
  if (styled) return;
  styled = true;
  document.head.append(h('link', { rel: 'stylesheet', href: 'evidence.css' }));
}

export function fmtSize(n) {
  if (n >= 1e9) return `${(n / 1e9).toFixed(1)} GB`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)} MB`;
  if (n >= 1e3) return `${Math.round(n / 1e3)} KB`;
  return `${n} B`;
}

function fmtPlace(loc) {
  return loc ? `${Number(loc.lat).toFixed(5)}, ${Number(loc.lon).toFixed(5)}` : '';
}

/**
 * A file picker: drop files on it, choose them, or take a photo with the camera
 * (`<input capture>` opens the camera on a phone). `picker.files` is the current list.
 */
export function filePicker({ id = 'evidence', label = '证据材料 Evidence', hint = null } = {}) {
  ensureStyle();
  const files = [];
  const list = h('ul', { class: 'pick-list', id: `${id}-list` });
  const choose = h('input', {
    type: 'file', multiple: true, accept: ACCEPT, id: `${id}-input`, class: 'visually-hidden',
  });
  const camera = h('input', {
    type: 'file', accept: 'image/*', capture: 'environment', id: `${id}-camera`, class: 'visually-hidden',
  });
  const redraw = () => {
    list.replaceChildren(...files.map((f, i) => {
      const thumb = f.type.startsWith('image/') && !/hei[cf]/i.test(f.type)
        ? h('img', { class: 'pick-thumb', alt: '', src: URL.createObjectURL(f) })
        : h('span', { class: 'pick-thumb icon', 'aria-hidden': 'true' }, (KIND[(f.type || '').split('/')[0]] || '文件').slice(0, 1));
      return h('li', { 'data-name': f.name }, thumb,
        h('span', { class: 'pick-name' }, f.name), h('span', { class: 'small muted' }, fmtSize(f.size)),
        h('button', {
          type: 'button', class: 'btn small ghost', title: '移除 remove',
          onclick: () => { files.splice(i, 1); redraw(); },
        }, '×'));
    }));
  };
  const add = (picked) => { for (const f of picked) files.push(f); redraw(); };
  choose.addEventListener('change', () => { add(choose.files); choose.value = ''; });
  camera.addEventListener('change', () => { add(camera.files); camera.value = ''; });
  const zone = h('div', { class: 'drop-zone', id: `${id}-drop`, tabindex: '0' },
    h('div', {}, '将照片、视频、PDF 扫描件或录音拖到这里', h('span', { class: 'en' }, ' Drop photos, video, PDF scans or audio here')),
    h('div', { class: 'drop-actions' },
      h('label', { class: 'btn small', for: `${id}-camera` }, '拍照 Camera'),
      h('label', { class: 'btn small', for: `${id}-input` }, '选择文件 Choose files')),
    choose, camera);
  zone.addEventListener('dragover', (e) => { e.preventDefault(); zone.classList.add('over'); });
  zone.addEventListener('dragleave', () => zone.classList.remove('over'));
  zone.addEventListener('drop', (e) => {
    e.preventDefault();
    zone.classList.remove('over');
    add(e.dataTransfer.files);
  });
  const el = h('div', { class: 'field evidence-field' }, h('label', {}, label), zone, list,
    hint ? h('div', { class: 'small muted' }, hint) : null);
  return { el, files, clear: () => { files.splice(0); redraw(); } };
}

/**
 * Upload every picked file to the case, bound to a task or a party message. Returns the
 * attachments made and the files refused (with the server's reason), in order.
 */
export async function uploadAll(caseId, files, { taskId = null, message = null, note = null } = {}) {
  const done = [];
  const refused = [];
  for (const file of files) {
    const form = new FormData();
    form.append('file', file, file.name);
    if (taskId) form.append('task_id', taskId);
    if (message) form.append('message', message);
    if (note) form.append('note', note);
    try {
      done.push(await api.postForm(`/cases/${caseId}/attachments`, form));
    } catch (err) {
      const why = (err.fieldErrors[0] && err.fieldErrors[0].msg) || err.message;
      refused.push({ name: file.name, why, status: err.status });
    }
  }
  return { done, refused };
}

/** A notice listing files the server refused (nothing of them was stored). */
export function refusedNotice(refused) {
  return h('div', { class: 'notice error', role: 'alert', id: 'evidence-refused' },
    `${refused.length} 个文件未上传 (not uploaded):`,
    h('ul', {}, refused.map((r) => h('li', {}, h('strong', {}, r.name), `：${r.why}`))));
}

async function blobUrl(path) {
  const res = await api.raw(path);
  return URL.createObjectURL(await res.blob());
}

/**
 * The gallery of a case: a card per attachment, photos with their preview, capture time and
 * place (EXIF), withdrawn ones greyed with the reason. `canAdd` adds an upload box;
 * `canWithdraw` a withdraw button (reason asked).
 */
export function gallery(caseId, attachments, { canAdd = false, canWithdraw = false, onChange = () => {}, taskName = (a) => a.element_id || a.task_id } = {}) {
  ensureStyle();
  const box = h('div', { class: 'gallery-box' });
  const viewer = h('div', { class: 'att-viewer', id: 'att-viewer', hidden: true });
  const grid = h('ul', { class: 'gallery', id: 'gallery' });
  if (!attachments.length) box.append(h('p', { class: 'muted', id: 'gallery-empty' }, '尚无证据材料。No evidence yet.'));
  for (const a of attachments) grid.append(card(a));
  box.append(grid, viewer);
  if (canAdd) {
    const picker = filePicker({ id: 'case-evidence', label: '上传证据材料 Add evidence' });
    const note = h('input', { type: 'text', id: 'case-evidence-note', maxlength: '500', placeholder: '说明（可选）Note' });
    const alert = h('div', {});
    const send = h('button', { type: 'button', class: 'btn primary', id: 'case-evidence-upload' }, '上传 Upload');
    send.addEventListener('click', async () => {
      alert.replaceChildren();
      if (!picker.files.length) { alert.append(h('div', { class: 'notice warn' }, '请先选择文件。Choose a file first.')); return; }
      send.disabled = true;
      send.textContent = '上传中…';
      const { done, refused } = await uploadAll(caseId, picker.files, { note: note.value.trim() || null });
      send.disabled = false;
      send.textContent = '上传 Upload';
      picker.clear();
      if (refused.length) alert.append(refusedNotice(refused));
      if (done.length) onChange();
    });
    box.append(h('div', { class: 'gallery-upload' }, picker.el,
      h('div', { class: 'field' }, h('label', { for: 'case-evidence-note' }, '说明 Note'), note), alert,
      h('div', { class: 'form-actions' }, send)));
  }
  return box;

  function card(a) {
    const major = a.media_type.split('/')[0];
    const media = h('div', { class: 'att-media' });
    if (a.thumbnail) {
      const img = h('img', { alt: a.filename, class: 'att-thumb', loading: 'lazy' });
      blobUrl(`/attachments/${a.id}/thumbnail`).then((u) => { img.src = u; }, () => { img.alt = '预览不可用'; });
      media.append(img);
    } else {
      media.append(h('span', { class: `att-icon ${major}` }, KIND[major] || '文件'));
    }
    const open = async () => {
      const url = await blobUrl(`/attachments/${a.id}/content`);
      const body = major === 'image' && a.media_type !== 'image/heic'
        ? h('img', { src: url, alt: a.filename, class: 'att-full' })
        : major === 'video' ? h('video', { src: url, controls: true, class: 'att-full' })
          : major === 'audio' ? h('audio', { src: url, controls: true })
            : h('iframe', { src: url, title: a.filename, class: 'att-frame' });
      viewer.replaceChildren(
        h('div', { class: 'doc-preview-head' }, h('strong', {}, a.filename),
          h('a', { class: 'btn small', href: url, download: a.filename }, '下载 Download'),
          h('button', { type: 'button', class: 'btn small ghost', onclick: () => { viewer.hidden = true; viewer.replaceChildren(); } }, '关闭 Close')),
        body);
      viewer.hidden = false;
      viewer.scrollIntoView({ block: 'nearest' });
    };
    const withdraw = async () => {
      const reason = window.prompt(`撤回「${a.filename}」的理由（文件不会删除，撤回记入审计）\nReason for withdrawing (the file stays, audited):`);
      if (!reason || !reason.trim()) return;
      try {
        await api.post(`/attachments/${a.id}/withdraw`, { reason: reason.trim() });
        onChange();
      } catch (err) {
        window.alert(err.message);
      }
    };
    return h('li', { class: `att-card ${a.withdrawn ? 'withdrawn' : ''}`, 'data-attachment': a.id, 'data-media': a.media_type },
      h('button', { type: 'button', class: 'att-open', title: '查看 View', onclick: open }, media),
      h('div', { class: 'att-meta' },
        h('div', { class: 'att-name', title: a.filename }, a.filename),
        h('div', { class: 'small muted' }, `${KIND[major] || a.media_type} · ${fmtSize(a.size)} · ${a.uploaded_by}`),
        a.taken_at ? h('div', { class: 'small att-taken' }, `拍摄 ${fmtTime(a.taken_at)}`) : null,
        a.location ? h('div', { class: 'small att-place', title: 'WGS-84' }, `坐标 ${fmtPlace(a.location)}`) : null,
        h('div', { class: 'small muted' }, `上传 ${fmtTime(a.uploaded_at)}`),
        a.message ? h('div', { class: 'small att-bound' }, `当事人行为：${messageName(a.message)}`) : null,
        a.task_id ? h('div', { class: 'small att-bound', title: a.element_id || '' }, `办理环节：${taskName(a)}`) : null,
        a.note ? h('div', { class: 'small' }, a.note) : null,
        h('code', { class: 'hash small', title: a.sha256 }, `${a.sha256.slice(0, 12)}…`),
        a.withdrawn ? h('div', { class: 'small att-withdrawn' }, h('span', { class: 'badge overdue' }, '已撤回'),
          ` ${a.withdrawn_reason || ''}（${a.withdrawn_by || ''} ${fmtTime(a.withdrawn_at)}）`) : null,
        canWithdraw && !a.withdrawn
          ? h('button', { type: 'button', class: 'btn small ghost', 'data-action': 'withdraw', onclick: withdraw }, '撤回 Withdraw')
          : null));
  }
}
