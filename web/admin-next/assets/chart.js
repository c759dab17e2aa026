// SVG charts drawn here (no chart library): a line/area chart over time, horizontal bars and a donut.
const NS = 'http://www.w3.org/2000/svg';
export const PALETTE = ['#6366f1', '#22c55e', '#f59e0b', '#ef4444', '#06b6d4', '#a855f7', '#ec4899', '#84cc16', '#64748b', '#14b8a6'];

function svg(tag, attrs = {}, ...children) {
  const el = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
  for (const child of children) if (child) el.append(child);
  return el;
}
function text(x, y, content, attrs = {}) {
  const el = svg('text', { x, y, ...attrs });
  el.textContent = content;
  return el;
}
function niceMax(value) {
  if (value <= 0) return 1;
  const power = Math.pow(10, Math.floor(Math.log10(value)));
  for (const step of [1, 2, 2.5, 5, 10]) if (step * power >= value) return step * power;
  return 10 * power;
}
const short = (n) => (n >= 1e6 ? (n / 1e6).toFixed(1) + 'M' : n >= 1e3 ? (n / 1e3).toFixed(1) + 'K' : String(Math.round(n * 100) / 100));

/** Lines over shared x labels: series = [{name, values[]}]. */
export function lineChart(labels, series, { height = 220, format = short } = {}) {
  const width = 640, left = 48, right = 12, top = 12, bottom = 28;
  const max = niceMax(Math.max(0, ...series.flatMap((s) => s.values)));
  const x = (i) => left + (labels.length <= 1 ? 0 : (i * (width - left - right)) / (labels.length - 1));
  const y = (v) => top + (height - top - bottom) * (1 - v / max);
  const root = svg('svg', { viewBox: `0 0 ${width} ${height}`, class: 'chart', role: 'img', 'aria-label': series.map((s) => s.name).join(', ') });
  for (let i = 0; i <= 4; i++) {
    const v = (max * i) / 4;
    root.append(svg('line', { x1: left, x2: width - right, y1: y(v), y2: y(v), class: 'grid' }), text(left - 6, y(v) + 4, format(v), { 'text-anchor': 'end' }));
  }
  const every = Math.max(1, Math.ceil(labels.length / 8));
  labels.forEach((label, i) => { if (i % every === 0 || i === labels.length - 1) root.append(text(x(i), height - 8, label, { 'text-anchor': 'middle' })); });
  series.forEach((s, index) => {
    const color = s.color || PALETTE[index % PALETTE.length];
    const points = s.values.map((v, i) => `${x(i)},${y(v)}`).join(' ');
    if (s.values.length) {
      root.append(svg('polygon', { points: `${x(0)},${y(0)} ${points} ${x(s.values.length - 1)},${y(0)}`, fill: color, opacity: 0.12 }));
      root.append(svg('polyline', { points, fill: 'none', stroke: color, 'stroke-width': 2 }));
    }
    s.values.forEach((v, i) => {
      const dot = svg('circle', { cx: x(i), cy: y(v), r: 3, fill: color });
      dot.append(svg('title', {}, document.createTextNode(`${s.name} · ${labels[i]}: ${format(v)}`)));
      root.append(dot);
    });
  });
  return root;
}

/** Horizontal bars: items = [{label, value}]. */
export function barChart(items, { format = short } = {}) {
  const width = 640, rowHeight = 26, left = 180, right = 70;
  const height = Math.max(rowHeight, items.length * rowHeight) + 4;
  const max = niceMax(Math.max(0, ...items.map((i) => i.value)));
  const root = svg('svg', { viewBox: `0 0 ${width} ${height}`, class: 'chart', role: 'img' });
  items.forEach((item, index) => {
    const y = index * rowHeight + 4;
    const w = ((width - left - right) * item.value) / max;
    const label = item.label.length > 28 ? item.label.slice(0, 27) + '…' : item.label;
    root.append(text(left - 8, y + 14, label, { 'text-anchor': 'end' }));
    root.append(svg('rect', { x: left, y, width: Math.max(1, w), height: rowHeight - 8, rx: 3, fill: item.color || PALETTE[index % PALETTE.length] }));
    root.append(text(left + w + 6, y + 14, format(item.value)));
  });
  return root;
}

/** A donut of shares: items = [{label, value}]. */
export function donutChart(items) {
  const size = 200, r = 80, inner = 50, c = size / 2;
  const total = items.reduce((sum, i) => sum + i.value, 0);
  const root = svg('svg', { viewBox: `0 0 ${size} ${size}`, class: 'chart', role: 'img', style: 'max-width:220px' });
  if (!total) { root.append(svg('circle', { cx: c, cy: c, r, fill: 'none', class: 'grid', 'stroke-width': r - inner })); return root; }
  let angle = -Math.PI / 2;
  items.forEach((item, index) => {
    const sweep = (item.value / total) * Math.PI * 2;
    const end = angle + Math.min(sweep, Math.PI * 2 - 1e-6);
    const large = sweep > Math.PI ? 1 : 0;
    const p = (a, radius) => `${c + radius * Math.cos(a)},${c + radius * Math.sin(a)}`;
    const path = svg('path', { d: `M${p(angle, r)} A${r},${r} 0 ${large} 1 ${p(end, r)} L${p(end, inner)} A${inner},${inner} 0 ${large} 0 ${p(angle, inner)} Z`,
      fill: item.color || PALETTE[index % PALETTE.length] });
    path.append(svg('title', {}, document.createTextNode(`${item.label}: ${((item.value / total) * 100).toFixed(1)}%`)));
    root.append(path);
    angle = end;
  });
  return root;
}

export function legend(names) {
  const el = document.createElement('div');
  el.className = 'legend';
  names.forEach((name, i) => {
    const item = document.createElement('span');
    const swatch = document.createElement('i');
    swatch.style.background = PALETTE[i % PALETTE.length];
    item.append(swatch, name);
    el.append(item);
  });
  return el;
}
