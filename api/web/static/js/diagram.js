// BPMN diagrams with bpmn-js (the navigated viewer, copied into /vendor at build time).
// Completed elements are marked `qw-completed`, active ones `qw-active` (see style.css).
// A BPMN file without diagram layout (BPMN DI) is laid out first with bpmn-auto-layout.

import { h } from './dom.js';

function hasLayout(xml) {
  return /<([\w-]+:)?BPMNShape\b/.test(xml);
}

async function withLayout(xml) {
  if (hasLayout(xml)) return { xml, generated: false };
  const { layoutProcess } = await import('/vendor/bpmn-auto-layout.js');
  return { xml: await layoutProcess(xml), generated: true };
}

/**
 * Render `xml` into `container`; returns {viewer, elementName(id)} or throws.
 * `completed`, `active` and `waiting` (running timers) are element ids to highlight.
 */
export async function renderDiagram(container, xml, { completed = [], active = [], waiting = [], height = 420 } = {}) {
  if (!window.BpmnJS) {
    container.replaceChildren(h('div', { class: 'notice warn' },
      '流程图组件未安装（请运行 make web）。The bpmn-js viewer is missing: run `make web`.'));
    return null;
  }
  const canvasEl = h('div', { class: 'bpmn-canvas', style: `height:${height}px` });
  const note = h('div', { class: 'diagram-note' });
  container.replaceChildren(canvasEl, note);
  const { xml: laidOut, generated } = await withLayout(xml);
  const viewer = new window.BpmnJS({ container: canvasEl });
  const { warnings } = await viewer.importXML(laidOut);
  const canvas = viewer.get('canvas');
  const registry = viewer.get('elementRegistry');
  const activeSet = new Set(active);
  const waitingSet = new Set(waiting);
  const marked = { completed: [], active: [], waiting: [] };
  for (const id of completed) {
    if (activeSet.has(id) || waitingSet.has(id) || !registry.get(id)) continue;
    canvas.addMarker(id, 'qw-completed');
    marked.completed.push(id);
  }
  for (const id of active) {
    if (!registry.get(id)) continue;
    canvas.addMarker(id, 'qw-active');
    marked.active.push(id);
  }
  for (const id of waiting) {
    if (activeSet.has(id) || !registry.get(id)) continue;
    canvas.addMarker(id, 'qw-waiting');
    marked.waiting.push(id);
  }
  canvasEl.dataset.completed = marked.completed.join(' ');
  canvasEl.dataset.active = marked.active.join(' ');
  const focus = () => focusOn(canvas, registry, [...marked.active, ...marked.waiting]);
  focus();
  const notes = ['拖动可平移，Ctrl+滚轮缩放。Drag to pan, Ctrl+wheel to zoom.'];
  if (generated) notes.push('此流程文件未含布局，图形为自动排版。Auto-laid out: the BPMN has no diagram layout.');
  if (warnings && warnings.length) notes.push(`导入提示 ${warnings.length} 条 (${warnings.length} import warning(s))`);
  note.textContent = notes.join(' ');
  const tools = h('div', { class: 'diagram-tools' },
    marked.active.length || marked.waiting.length ? h('button', { type: 'button', class: 'btn small', title: '定位到进行中的环节 show the active step', onclick: focus }, '当前环节') : null,
    h('button', { type: 'button', class: 'btn small', title: '显示全图 fit', onclick: () => canvas.zoom('fit-viewport', 'auto') }, '全图'),
    h('button', { type: 'button', class: 'btn small', title: '放大 zoom in', onclick: () => canvas.zoom(canvas.zoom() * 1.25) }, '＋'),
    h('button', { type: 'button', class: 'btn small', title: '缩小 zoom out', onclick: () => canvas.zoom(canvas.zoom() / 1.25) }, '－'));
  container.prepend(tools);
  // A window resized (a phone turned, a test's viewport changed): refit to the new width.
  let lastWidth = canvasEl.clientWidth;
  const resize = typeof ResizeObserver === 'function' ? new ResizeObserver(() => {
    const width = canvasEl.clientWidth;
    if (!width || Math.abs(width - lastWidth) < 20) return;
    lastWidth = width;
    canvas.resized();
    focus();
  }) : null;
  if (resize) resize.observe(canvasEl);
  return {
    viewer,
    marked,
    elementName(id) {
      const el = registry.get(id);
      return (el && el.businessObject && el.businessObject.name) || id;
    },
    destroy() { if (resize) resize.disconnect(); viewer.destroy(); },
  };
}

// Below this scale a whole diagram is too small to read: show the active steps instead.
const READABLE = 0.6;

/** Fit the whole diagram if it stays readable, else centre the active elements at a legible zoom
 * (the user tasks among them when they lie too far apart to show together). */
function focusOn(canvas, registry, ids) {
  canvas.zoom('fit-viewport', 'auto');
  let shapes = ids.map((id) => registry.get(id)).filter((el) => el && el.width !== undefined);
  if (canvas.zoom() >= READABLE || !shapes.length) return;
  const { outer } = canvas.viewbox();
  const box = (els) => {
    const minX = Math.min(...els.map((e) => e.x));
    const minY = Math.min(...els.map((e) => e.y));
    const maxX = Math.max(...els.map((e) => e.x + e.width));
    const maxY = Math.max(...els.map((e) => e.y + e.height));
    const scale = Math.min(1, outer.width / (maxX - minX + 200), outer.height / (maxY - minY + 160));
    return { cx: (minX + maxX) / 2, cy: (minY + maxY) / 2, scale };
  };
  let b = box(shapes);
  if (b.scale < READABLE) {
    const tasks = shapes.filter((e) => /UserTask$/.test((e.businessObject && e.businessObject.$type) || ''));
    shapes = [(tasks.length ? tasks : shapes)[0]];
    b = box(shapes);
  }
  const scale = Math.max(READABLE, b.scale);
  const width = outer.width / scale;
  const height = outer.height / scale;
  canvas.viewbox({ x: b.cx - width / 2, y: b.cy - height / 2, width, height });
}

export const LEGEND = () => h('div', { class: 'legend' },
  h('span', { class: 'swatch completed' }), '已完成 done',
  h('span', { class: 'swatch active' }), '进行中 active',
  h('span', { class: 'swatch waiting' }), '期限计算中 timer running');
