// History-mode routing under /admin-next/ (deep links work: the relay answers index.html for them).
export const BASE = '/admin-next';
const routes = new Map();
let current = null;
let onChange = () => {};

export function route(path, page) { routes.set(path, page); }
export function setListener(fn) { onChange = fn; }
export function currentPath() {
  const path = location.pathname.startsWith(BASE) ? location.pathname.slice(BASE.length) : '/';
  return path === '' || path === '/' ? '/' : path.replace(/\/$/, '');
}
export function navigate(path, replace = false) {
  const url = BASE + path;
  if (replace) history.replaceState(null, '', url); else history.pushState(null, '', url);
  render();
}
export function render() {
  const path = currentPath();
  current = routes.get(path) || null;
  onChange(path, current);
}
window.addEventListener('popstate', render);
document.addEventListener('click', (event) => {
  const link = event.target.closest && event.target.closest('a[data-link]');
  if (!link || event.metaKey || event.ctrlKey || event.button !== 0) return;
  event.preventDefault();
  navigate(link.getAttribute('href').slice(BASE.length) || '/');
});
