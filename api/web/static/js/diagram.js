// BPMN diagrams with bpmn-js (the navigated viewer, copied into /vendor at build time).
// Completed elements are marked `qw-completed`, active ones `qw-active` (see style.css).
// A BPMN file without diagram layout (BPMN DI) is laid out first with bpmn-auto-layout.
// A case's diagram holds the main process and every process it calls (one BPMNDiagram each):
// a click on a call activity opens the called process in place, a breadcrumb leads back, and
// the same markers (done, active, running timers) are set at every level. Lanes show the
// Chinese role names.

import { h } from './dom.js';
import { ROLES } from './labels.js';

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
  const crumbs = h('nav', { class: 'diagram-crumbs', 'aria-label': '流程层级 process levels' });
  const note = h('div', { class: 'diagram-note' });
  container.replaceChildren(crumbs, canvasEl, note);
  const { xml: laidOut, generated } = await withLayout(xml);
  const viewer = new window.BpmnJS({ container: canvasEl });
  const { warnings } = await viewer.importXML(laidOut);
  const canvas = viewer.get('canvas');
  const registry = viewer.get('elementRegistry');
  const activeSet = new Set(active);
  const waitingSet = new Set(waiting);
  const marked = { completed: [], active: [], waiting: [] };

  // processes by id -> their diagram (a plane shows a collaboration or a process)
  const definitions = viewer.getDefinitions();
  const diagrams = new Map();
  for (const d of (definitions && definitions.diagrams) || []) {
    const el = d.plane && d.plane.bpmnElement;
    if (!el) continue;
    if (el.$type === 'bpmn:Collaboration') {
      for (const p of el.participants || []) if (p.processRef) diagrams.set(p.processRef.id, d);
    } else if (el.$type === 'bpmn:Process') {
      diagrams.set(el.id, d);
    }
  }
  // every element's name across the processes, once (not per timeline row)
  const names = new Map();
  const collect = (container) => {
    for (const el of container.flowElements || []) {
      if (el.name) names.set(el.id, el.name);
      if (el.flowElements) collect(el);
    }
  };
  for (const d of new Set(diagrams.values())) {
    const root = d.plane.bpmnElement;
    const processes = root.$type === 'bpmn:Collaboration'
      ? (root.participants || []).map((p) => p.processRef).filter(Boolean) : [root];
    processes.forEach(collect);
  }
  const processName = (d) => {
    const el = d.plane.bpmnElement;
    const p = el.$type === 'bpmn:Collaboration' ? (el.participants || [])[0] : el;
    return (p && (p.name || (p.processRef && p.processRef.name) || p.id)) || d.id;
  };
  const calledDiagram = (el) => {
    const bo = el && el.businessObject;
    return bo && bo.$type === 'bpmn:CallActivity' && diagrams.get(bo.calledElement);
  };

  function decorate() {
    marked.completed = []; marked.active = []; marked.waiting = [];
    for (const id of completed) {
      if (activeSet.has(id) || waitingSet.has(id) || !registry.get(id)) continue;
      canvas.addMarker(id, 'qw-completed');
      marked.completed.push(id);
    }
    for (const id of active) {
      // a running timer is drawn as waiting, not as a step being worked on
      if (waitingSet.has(id) || !registry.get(id)) continue;
      canvas.addMarker(id, 'qw-active');
      marked.active.push(id);
    }
    for (const id of waiting) {
      if (!registry.get(id)) continue;
      canvas.addMarker(id, 'qw-waiting');
      marked.waiting.push(id);
    }
    for (const el of registry.filter((e) => calledDiagram(e))) {
      canvas.addMarker(el.id, 'qw-drillable');
    }
    // lanes are named after role keys: show the Chinese role name
    for (const lane of registry.filter((e) => e.type === 'bpmn:Lane')) {
      const key = lane.businessObject.name;
      const text = ROLES[key] ? registry.getGraphics(lane).querySelector('text') : null;
      if (!text) continue;
      const spans = text.querySelectorAll('tspan');
      if (spans.length) {
        spans[0].textContent = `${ROLES[key]} ${key}`;
        for (const extra of [...spans].slice(1)) extra.remove();
      } else {
        text.textContent = `${ROLES[key]} ${key}`;
      }
    }
    canvasEl.dataset.completed = marked.completed.join(' ');
    canvasEl.dataset.active = marked.active.join(' ');
    canvasEl.dataset.waiting = marked.waiting.join(' ');
  }

  const trail = [];
  const first = definitions && definitions.diagrams && definitions.diagrams[0];
  if (first) trail.push(first);
  canvasEl.dataset.process = first ? processName(first) : '';

  function drawCrumbs() {
    crumbs.replaceChildren(...trail.flatMap((d, i) => {
      const last = i === trail.length - 1;
      const item = last
        ? h('span', { class: 'crumb current', 'aria-current': 'page' }, processName(d))
        : h('button', { type: 'button', class: 'crumb', onclick: () => openAt(i) }, processName(d));
      return i ? [h('span', { class: 'crumb-sep', 'aria-hidden': 'true' }, ' › '), item] : [item];
    }));
    crumbs.hidden = diagrams.size < 2;
  }

  async function show(d) {
    await viewer.open(d);
    canvasEl.dataset.process = processName(d);
    decorate();
    drawCrumbs();
    focus();
  }

  async function openAt(i) {
    trail.length = i + 1;
    await show(trail[i]);
  }

  async function drill(el) {
    const d = calledDiagram(el);
    if (!d) return;
    trail.push(d);
    await show(d);
  }

  /** Follow the active call activities down to the deepest level (the step being worked on). */
  async function toActive() {
    for (let guard = 0; guard < 12; guard += 1) {
      const next = registry.filter((e) => activeSet.has(e.id) && calledDiagram(e))[0];
      if (!next) break;
      await drill(next);
    }
    focus();
  }

  viewer.get('eventBus').on('element.click', (event) => { drill(event.element); });
  decorate();
  drawCrumbs();
  const focus = () => focusOn(canvas, registry, [...marked.active, ...marked.waiting]);
  focus();
  const notes = ['拖动可平移，Ctrl+滚轮缩放；点击带 ＋ 的环节可展开。Drag to pan, Ctrl+wheel to zoom; click a box marked + to open it.'];
  if (generated) notes.push('此流程文件未含布局，图形为自动排版。Auto-laid out: the BPMN has no diagram layout.');
  if (warnings && warnings.length) notes.push(`导入提示 ${warnings.length} 条 (${warnings.length} import warning(s))`);
  note.textContent = notes.join(' ');
  const hasActiveCall = () => registry.filter((e) => activeSet.has(e.id) && calledDiagram(e)).length > 0;
  const tools = h('div', { class: 'diagram-tools' },
    active.length ? h('button', { type: 'button', class: 'btn small', 'data-action': 'to-active', title: '展开到正在办理的环节 open the step being worked on', onclick: () => (hasActiveCall() ? toActive() : focus()) }, '当前环节') : null,
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
    drill: (id) => drill(registry.get(id)),
    toActive,
    elementName(id) {
      // steps inside called processes are named too (the timeline names every step)
      if (names.has(id)) return names.get(id);
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
