// App shell: routes, the header (brand from the OEM settings, navigation, update badge, theme, account menu), the
// login guard. Every page module exports { title, isPublic?, render(container) }.
import { h, mount, dialog, toast, field } from './ui.js';
import { api, get, post, auth } from './api.js';
import { route, setListener, render, navigate, BASE } from './router.js';
import * as login from './pages/login.js';
import * as dashboard from './pages/dashboard.js';
import * as keys from './pages/keys.js';
import * as accounts from './pages/accounts.js';
import * as settings from './pages/settings.js';
import * as stats from './pages/stats.js';
import * as tutorial from './pages/tutorial.js';
import * as pricing from './pages/pricing.js';
import * as requestDetails from './pages/request-details.js';

const theme = {
  get() { return localStorage.getItem('theme') || (matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light'); },
  apply(value) { document.documentElement.dataset.theme = value; localStorage.setItem('theme', value); },
};
theme.apply(theme.get());

export const branding = { siteName: 'Claude Relay Service', siteIcon: '', siteIconData: '', showAdminButton: true };

async function loadBranding() {
  try {
    const reply = await get('/admin/oem-settings', { public: true });
    Object.assign(branding, reply.data || {});
  } catch { /* defaults */ }
  const icon = branding.siteIconData || branding.siteIcon;
  if (icon) document.querySelector('link[rel=icon]').href = icon;
}

const pages = { '/login': login, '/admin-login': login, '/dashboard': dashboard, '/api-keys': keys, '/accounts': accounts,
  '/settings': settings, '/pricing': pricing, '/requests': requestDetails, '/api-stats': stats, '/tutorial': tutorial };
for (const [path, page] of Object.entries(pages)) route(path, page);

const nav = [['/dashboard', 'Dashboard'], ['/api-keys', 'API Keys'], ['/accounts', 'Accounts'], ['/requests', 'Requests'], ['/pricing', 'Pricing'], ['/settings', 'Settings'],
  ['/tutorial', 'Tutorial'], ['/api-stats', 'Key stats']];

function header(path) {
  const brandIcon = branding.siteIconData || branding.siteIcon || BASE + '/favicon.svg';
  const loggedIn = !!auth.token;
  const updateBadge = h('span');
  if (loggedIn) {
    get('/admin/check-updates').then((r) => {
      if (r.data && r.data.hasUpdate) mount(updateBadge, h('span.badge.warn', { title: r.data.releaseInfo || '' }, `Update ${r.data.latest}`));
    }).catch(() => {});
  }
  return h('header.top',
    h('div.brand', h('img', { src: brandIcon, alt: '' }), h('span#site-name', branding.siteName)),
    h('nav', nav.filter(([p]) => loggedIn || p === '/api-stats').map(([p, label]) =>
      h('a' + (path === p ? '.active' : ''), { href: BASE + p, 'data-link': true, 'data-nav': p.slice(1) }, label))),
    h('div.spacer'),
    updateBadge,
    h('button', { type: 'button', title: 'Toggle theme', 'data-action': 'theme',
      onclick: () => theme.apply(theme.get() === 'dark' ? 'light' : 'dark') }, '◐'),
    loggedIn
      ? [h('button', { type: 'button', 'data-action': 'change-password', onclick: changePassword }, auth.username || 'Account'),
         h('button', { type: 'button', 'data-action': 'logout', onclick: logout }, 'Log out')]
      : (branding.showAdminButton !== false && path !== '/login' ? h('a.button', { href: BASE + '/login', 'data-link': true }, 'Admin login') : null));
}

async function logout() {
  try { await post('/web/auth/logout'); } catch { /* the token is dropped either way */ }
  auth.token = null;
  navigate('/login');
}

async function changePassword() {
  const form = h('form.form-grid',
    field('Current password', h('input', { name: 'currentPassword', type: 'password', required: true, autocomplete: 'current-password' })),
    field('New password (8+ characters)', h('input', { name: 'newPassword', type: 'password', required: true, minLength: 8, autocomplete: 'new-password' })),
    field('New username (optional)', h('input', { name: 'newUsername', autocomplete: 'username' })));
  await dialog('Change admin credentials', form, [{ label: 'Cancel' }, { label: 'Save', primary: true, run: async (close) => {
    const values = Object.fromEntries(new FormData(form));
    try {
      const reply = await post('/web/auth/change-password', values);
      toast(reply.message || 'Changed; log in again');
      close(true);
      auth.token = null;
      navigate('/login');
    } catch (error) { toast(error.message, true); }
  } }]);
}

const app = document.getElementById('app');
setListener(async (path, page) => {
  if (path === '/') return navigate('/api-stats', true);
  if (!page) return navigate('/api-stats', true);
  if (!page.isPublic && !auth.token) return navigate('/login', true);
  if (page === login && auth.token) return navigate('/dashboard', true);
  document.title = `${page.title} - ${branding.siteName}`;
  const content = h('main');
  mount(app, path === '/login' || path === '/admin-login' ? null : header(path), content);
  try {
    await page.render(content);
  } catch (error) {
    if (error.status !== 401) mount(content, h('div.panel', h('p.error-text', 'Could not load this page: ' + error.message)));
  }
});

(async () => {
  await loadBranding();
  if (auth.token) {
    // The session may have ended (logout elsewhere, password change, expiry): the API says so with a 401.
    try { const me = await api('GET', '/web/auth/user'); auth.username = me.user && me.user.username; } catch { /* handled */ }
  }
  render();
})();
