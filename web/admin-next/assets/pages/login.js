import { h, mount } from '../ui.js';
import { post, auth } from '../api.js';
import { navigate } from '../router.js';
import { branding } from '../app.js';

export const title = 'Log in';
export const isPublic = true;

export async function render(container) {
  const error = h('p.error-text', { role: 'alert', id: 'login-error' });
  const button = h('button.primary', { type: 'submit', id: 'login-submit' }, 'Log in');
  const form = h('form', { id: 'login-form', method: 'post', onsubmit: async (event) => {
    event.preventDefault();
    button.disabled = true;
    error.textContent = '';
    const values = Object.fromEntries(new FormData(form));
    try {
      const reply = await post('/web/auth/login', values, { public: true });
      auth.token = reply.token;
      auth.username = reply.username || values.username;
      navigate('/dashboard');
    } catch (failure) {
      error.textContent = failure.message || 'Login failed';
    } finally {
      button.disabled = false;
    }
  } },
  h('label.field', h('span', 'Username'), h('input', { name: 'username', id: 'username', autocomplete: 'username', required: true, autofocus: true })),
  h('label.field', h('span', 'Password'), h('input', { name: 'password', id: 'password', type: 'password', autocomplete: 'current-password', required: true })),
  error, button);
  mount(container, h('div.login.panel', h('h1', branding.siteName), h('p.muted', 'Administrator login'), form,
    h('p', h('a', { href: '/admin-next/api-stats', 'data-link': true }, 'Look up your API key’s usage'))));
}
