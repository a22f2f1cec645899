// ECharts for the campaign dashboard: loaded on first use from the vendored build (web/build.mjs),
// sized for a phone as well as a desk (legend below, labels inside the grid, no hover needed).
import { h } from '../dom.js';

let loading = null;

/** window.echarts, loading /vendor/echarts/echarts.min.js the first time. */
export function loadECharts() {
  if (window.echarts) return Promise.resolve(window.echarts);
  if (!loading) {
    loading = new Promise((resolve, reject) => {
      const s = document.createElement('script');
      s.src = '/vendor/echarts/echarts.min.js';
      s.onload = () => resolve(window.echarts);
      s.onerror = () => { loading = null; reject(new Error('图表库未能加载 ECharts failed to load (run make web)')); };
      document.head.append(s);
    });
  }
  return loading;
}

export const MODE_NAMES = { self: '自行拆除', assisted: '帮助拆除', forced: '强制拆除', confiscated: '没收' };
export const MODE_COLORS = { self: '#2e7d32', assisted: '#1d4e89', forced: '#c62828', confiscated: '#b26a00' };
const BASE = {
  textStyle: { fontFamily: 'PingFang SC, Microsoft YaHei, Noto Sans CJK SC, sans-serif', fontSize: 12 },
  animation: false,
  grid: { left: 8, right: 12, top: 36, bottom: 40, containLabel: true },
  tooltip: { trigger: 'axis', confine: true },
};

/** A chart panel; returns { panel, mount(echarts) -> chart } so charts draw after insertion. */
export function chartPanel(id, title, en, option) {
  const box = h('div', { class: 'chart', id, role: 'img', 'aria-label': title });
  const panel = h('section', { class: 'panel chart-panel' }, h('h2', {}, title, ' ', h('small', {}, en)), box);
  return {
    panel,
    mount(echarts) {
      const chart = echarts.init(box, null, { renderer: 'canvas' });
      chart.setOption({ ...BASE, ...option });
      return chart;
    },
  };
}

export function trendOption(trend, area) {
  const weeks = trend.map((w) => w.week.slice(5));
  const target = area ? [{ yAxis: area.target, name: `目标 ${area.target} m²（${area.by}）` }] : [];
  return {
    legend: { bottom: 0, itemWidth: 14 },
    xAxis: { type: 'category', data: weeks, axisLabel: { hideOverlap: true } },
    yAxis: [
      { type: 'value', name: '累计 m²', nameTextStyle: { align: 'left' } },
      { type: 'value', name: '每周 m²', splitLine: { show: false } },
    ],
    series: [
      {
        name: '累计拆除面积', type: 'line', data: trend.map((w) => w.cumulative_m2),
        symbolSize: 4, lineStyle: { width: 3 }, itemStyle: { color: '#1d4e89' }, areaStyle: { opacity: 0.08 },
        markLine: target.length ? { symbol: 'none', lineStyle: { color: '#c62828', type: 'dashed' }, label: { formatter: '目标', position: 'insideEndTop' }, data: target } : undefined,
      },
      { name: '每周拆除', type: 'bar', yAxisIndex: 1, barMaxWidth: 24, data: trend.map((w) => w.demolished_m2), itemStyle: { color: '#90caf9' } },
      { name: '每周结案', type: 'line', yAxisIndex: 1, data: trend.map((w) => w.closed), symbol: 'none', itemStyle: { color: '#2e7d32' } },
    ],
  };
}

export function modesOption(byMode) {
  const data = Object.entries(MODE_NAMES).filter(([k]) => byMode[k])
    .map(([k, name]) => ({ name, value: byMode[k], itemStyle: { color: MODE_COLORS[k] } }));
  return {
    tooltip: { trigger: 'item', confine: true, formatter: '{b}：{c} 件（{d}%）' },
    legend: { bottom: 0, itemWidth: 14 },
    series: [{
      type: 'pie', radius: ['38%', '66%'], center: ['50%', '44%'], data,
      label: { formatter: '{b}\n{c} 件', fontSize: 12 }, minAngle: 4,
    }],
  };
}

export function districtsOption(districts) {
  const names = districts.map((d) => d.district);
  return {
    legend: { bottom: 0, itemWidth: 14 },
    grid: { left: 8, right: 40, top: 10, bottom: 40, containLabel: true },
    xAxis: { type: 'value', name: 'm²' },
    yAxis: { type: 'category', data: names, inverse: true },
    series: [
      { name: '查处面积', type: 'bar', barMaxWidth: 28, data: districts.map((d) => d.found_m2), itemStyle: { color: '#b0bec5' }, barGap: '-100%' },
      {
        name: '已拆除', type: 'bar', barMaxWidth: 28, data: districts.map((d) => d.demolished_m2), itemStyle: { color: '#2e7d32' },
        label: { show: true, position: 'right', formatter: (p) => `${Math.round(100 * (districts[p.dataIndex].share_demolished || 0))}%` },
      },
    ],
  };
}

export function stagesOption(byStage, stageName) {
  const rows = Object.entries(byStage).sort((a, b) => b[1] - a[1]);
  return {
    grid: { left: 8, right: 30, top: 10, bottom: 10, containLabel: true },
    xAxis: { type: 'value', minInterval: 1 },
    yAxis: { type: 'category', data: rows.map(([s]) => stageName(s)), inverse: true },
    series: [{ type: 'bar', barMaxWidth: 24, data: rows.map(([, n]) => n), itemStyle: { color: '#5c7fa8' }, label: { show: true, position: 'right' } }],
  };
}
