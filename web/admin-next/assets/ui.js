// Small DOM helpers shared by every page: element builder, dialogs, toasts, formatting.

/** h('div.card#id', {onclick}, child, …): element with optional classes, attributes/properties and children. */
export function h(spec, attrs, ...children) {
  const [head, id] = spec.split('#');
  const [tag, ...classes] = head.split('.');
  const el = document.createElement(tag || 'div');
  if (classes.length) el.className = classes.join(' ');
  if (id) el.id = id;
  if (attrs && (typeof attrs !== 'object' || attrs instanceof Node || Array.isArray(attrs))) {
    children.unshift(attrs);
    attrs = null;
  }
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith('on')) el.addEventListener(name.slice(2), value);
    else if (name in el && !['list', 'form', 'type'].includes(name)) el[name] = value;
    else el.setAttribute(name, value === true ? '' : value);
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/** Replaces the children of `el`. */
export function mount(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

export function toast(message, isError = false) {
  const el = h('div.toast' + (isError ? '.error' : ''), { role: 'status' }, message);
  document.body.append(el);
  setTimeout(() => el.remove(), isError ? 6000 : 3000);
}

/** A modal dialog; resolves with the value passed to `close` (undefined when dismissed). */
export function dialog(title, body, actions = []) {
  return new Promise((resolve) => {
    const el = h('dialog', { 'aria-label': title });
    const close = (value) => { el.close(); el.remove(); resolve(value); };
    const buttons = actions.map((a) => h('button' + (a.primary ? '.primary' : '') + (a.danger ? '.danger' : ''),
      { type: 'button', 'data-action': a.id || a.label, onclick: () => a.run ? a.run(close) : close(a.value) }, a.label));
    el.append(h('div.dialog-body', h('h2', title), body), h('div.dialog-actions', buttons));
    el.addEventListener('cancel', (event) => { event.preventDefault(); close(undefined); });
    document.body.append(el);
    el.showModal();
  });
}

export async function confirmAction(title, text, label = 'Confirm') {
  return (await dialog(title, h('p', text), [{ label: 'Cancel' }, { label, primary: true, danger: true, value: true }])) === true;
}

export function field(label, input, hint) {
  return h('label.field', h('span', label), input, hint ? h('small.muted', hint) : null);
}

export const fmt = {
  int: (n) => Number(n || 0).toLocaleString('en-US'),
  tokens(n) {
    n = Number(n || 0);
    if (n >= 1e9) return (n / 1e9).toFixed(2) + 'B';
    if (n >= 1e6) return (n / 1e6).toFixed(2) + 'M';
    if (n >= 1e3) return (n / 1e3).toFixed(1) + 'K';
    return String(n);
  },
  cost: (c) => '$' + Number(c || 0).toFixed(Number(c || 0) >= 1 ? 2 : 4),
  date: (iso) => (iso ? new Date(iso).toLocaleString() : '—'),
  day: (iso) => (iso ? new Date(iso).toLocaleDateString() : '—'),
  duration(seconds) {
    seconds = Math.max(0, Math.round(seconds || 0));
    const d = Math.floor(seconds / 86400), hh = Math.floor((seconds % 86400) / 3600), m = Math.floor((seconds % 3600) / 60);
    return d ? `${d}d ${hh}h` : hh ? `${hh}h ${m}m` : `${m}m ${seconds % 60}s`;
  },
};

/** A usage bar: `used` of `limit` (no bar when the limit is 0 = unlimited). */
export function meter(used, limit, label) {
  if (!limit) return h('div.meter', h('div.text', `${label}: ${used} · no limit`));
  const ratio = Math.min(1, used / limit);
  const cls = ratio >= 1 ? '.bad' : ratio >= 0.8 ? '.warn' : '';
  const fill = h('div.fill' + cls);
  fill.style.width = (ratio * 100).toFixed(1) + '%';
  return h('div.meter', { title: `${label}: ${used} / ${limit}` }, h('div.track', fill), h('div.text', `${label}: ${used} / ${limit}`));
}

export function badge(text, kind) {
  return h('span.badge.' + kind, text);
}

/** Reads a form's named inputs into an object (checkboxes as booleans, number inputs as numbers). */
export function formValues(form) {
  const out = {};
  for (const el of form.querySelectorAll('[name]')) {
    if (el.type === 'checkbox') out[el.name] = el.checked;
    else if (el.type === 'number') out[el.name] = el.value === '' ? 0 : Number(el.value);
    else out[el.name] = el.value;
  }
  return out;
}

export function debounce(fn, ms = 300) {
  let timer;
  return (...args) => { clearTimeout(timer); timer = setTimeout(() => fn(...args), ms); };
}

/** Newer / older buttons for a paged list (`pagination` as the admin API answers it); `go(page)` loads a page. */
export function pager(p, go) {
  return p.totalPages > 1 ? h('div.toolbar',
    h('button.small', { type: 'button', disabled: !p.hasPreviousPage, onclick: () => go(p.currentPage - 1) }, '‹ Newer'),
    h('span.muted', `page ${p.currentPage} of ${p.totalPages}`),
    h('button.small', { type: 'button', disabled: !p.hasNextPage, onclick: () => go(p.currentPage + 1) }, 'Older ›')) : null;
}
