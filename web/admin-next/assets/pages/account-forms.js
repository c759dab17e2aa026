// Per-type account forms: what each provider needs (endpoint + secret, AWS keys, Azure deployment) and the OAuth
// flows (open the provider's page, paste the code or the callback URL back; the relay exchanges it).
import { h, field, dialog, toast } from '../ui.js';
import { post, put } from '../api.js';
import { accountKinds } from '../kinds.js';

/** The create dialog's types: each kind's OAuth flow, and its form where it can be filled by hand. */
async function types() {
  const { kinds } = await accountKinds();
  const list = [];
  for (const kind of kinds) {
    if (kind.oauth) list.push({ id: kind.name + '-oauth', label: kind.label + ' — OAuth authorization', path: kind.adminPath, oauth: true, form: [] });
    for (const v of kind.oauthVariants || []) {
      list.push({ id: kind.name + '-' + v.oauthProvider, label: v.label + ' — OAuth authorization', path: kind.adminPath, oauth: true, form: [],
        extra: { oauthProvider: v.oauthProvider } });
    }
    if (kind.deviceFlow) list.push({ id: kind.name + '-device', label: kind.label + ' — device authorization (OAuth)', path: kind.adminPath, device: true,
      form: kind.form.filter((f) => f.name !== 'apiKeys') });
    if (kind.form.length) list.push({ id: kind.name, label: kind.oauth ? kind.label + ' — paste a token' : kind.label, path: kind.adminPath, form: kind.form });
  }
  return list;
}

const input = (name, attrs = {}) => h('input', { name, ...attrs });

/** The fields of one type's form (edit: `account` given; secrets then stay as stored unless entered). */
function typeFields(form, account) {
  const a = account || {};
  const editing = !!account;
  return form.map((f) => {
    const stored = f.group ? undefined : a[f.name];
    switch (f.type) {
      case 'secret':
        return field(f.label, input(f.name, { type: 'password', autocomplete: 'off', placeholder: editing ? 'unchanged unless entered' : f.placeholder,
          required: f.required && !editing }));
      case 'models':
        return field(f.label, h('textarea', { name: f.name }, listOf(stored).join('\n')));
      case 'number':
        return field(f.label, input(f.name, { type: 'number', min: 0, step: f.step || '1', value: stored ?? f.default ?? '' }));
      case 'boolean':
        return field(f.label, h('select', { name: f.name }, [['false', 'off'], ['true', 'on']].map(([value, label]) =>
          h('option', { value, selected: String(stored ?? f.default ?? false) === value }, label))));
      default:
        return field(f.label, input(f.name, { value: stored || f.default || '', required: f.required, placeholder: f.placeholder }));
    }
  });
}

function listOf(value) {
  if (Array.isArray(value)) return value;
  if (value && typeof value === 'object') return Object.keys(value);
  return [];
}

/** The request body from the form's values: empty fields are left out (on edit: kept as stored); a group's fields
 * travel as one object, and only when one of them was entered. */
function bodyOf(form, v, account) {
  const body = { name: v.name, description: v.description, priority: Number(v.priority || 50), accountType: v.accountType };
  if (v.subscriptionExpiresAt) body.subscriptionExpiresAt = new Date(v.subscriptionExpiresAt + ':00Z').toISOString();
  const proxy = proxyOf(v, account);
  if (proxy !== undefined) body.proxy = proxy;
  for (const f of form) {
    let value = v[f.name];
    if (f.type === 'models') value = (value || '').split('\n').map((m) => m.trim()).filter(Boolean);
    else if (f.type === 'number') value = Number(value || 0);
    else if (f.type === 'boolean') value = value === 'true';
    else if (value === undefined || value === '') continue;
    if (f.group) (body[f.group] = body[f.group] || {})[f.name] = value;
    else body[f.name] = value;
  }
  // A pasted OAuth token carries no expiry: treat it as long-lived rather than due for refresh at once.
  if (body.claudeAiOauth) body.claudeAiOauth = { refreshToken: '', expiresAt: Date.now() + 365 * 86400e3, scopes: [], ...body.claudeAiOauth };
  return body;
}

function common(a = {}) {
  return [field('Name', input('name', { value: a.name || '', required: true, maxLength: 100, id: 'account-name' })),
    field('Description', input('description', { value: a.description || '' })),
    field('Priority (1 = first)', input('priority', { type: 'number', min: 1, max: 100, value: a.priority ?? 50 })),
    field('Type', h('select', { name: 'accountType' }, ['shared', 'dedicated'].map((t) => h('option', { value: t, selected: a.accountType === t }, t)))),
    field('Expires (optional)', input('subscriptionExpiresAt', { type: 'datetime-local', id: 'account-expires',
      value: a.subscriptionExpiresAt ? new Date(a.subscriptionExpiresAt).toISOString().slice(0, 16) : '' }),
      'An expired account leaves the pool; times are in UTC')];
}

const PROXY_TYPES = [['', 'none (direct)'], ['socks5', 'SOCKS5'], ['http', 'HTTP (CONNECT)'], ['https', 'HTTPS (sent as HTTP CONNECT)']];

/** The account's proxy: type, address and optional credentials (SOCKS5 and HTTP both carry them). On edit the stored
 * password is kept unless a new one is entered. */
function proxyFields(a = {}) {
  const p = a.proxy || {};
  return h('fieldset', { 'data-proxy': '' }, h('legend', 'Proxy (optional)'), h('div.form-grid',
    field('Proxy type', h('select', { name: 'proxyType', id: 'proxy-type' }, PROXY_TYPES.map(([value, label]) =>
      h('option', { value, selected: (p.type || '') === value }, label)))),
    field('Proxy host', input('proxyHost', { value: p.host || '', placeholder: '127.0.0.1' })),
    field('Proxy port', input('proxyPort', { type: 'number', min: 1, max: 65535, value: p.port || '' })),
    field('Proxy username', input('proxyUsername', { value: p.username || '', autocomplete: 'off' })),
    field('Proxy password', input('proxyPassword', { type: 'password', autocomplete: 'off',
      placeholder: p.password ? 'unchanged unless entered' : '' }))));
}

/** `undefined` leaves the stored proxy alone (a create without one); `null` removes it. */
function proxyOf(v, account) {
  if (!v.proxyType) return account && account.proxy ? null : undefined;
  const proxy = { type: v.proxyType, host: v.proxyHost, port: Number(v.proxyPort) };
  if (v.proxyUsername) proxy.username = v.proxyUsername;
  if (v.proxyPassword) proxy.password = v.proxyPassword;
  else if (v.proxyUsername && account && account.proxy && account.proxy.password) proxy.password = account.proxy.password; // the mask: kept as stored
  return proxy;
}

const values = (form) => Object.fromEntries([...form.querySelectorAll('[name]')].map((el) => [el.name, el.value]));

/** Create dialog: pick a type, fill its form (or run its OAuth flow). Resolves true when an account was created. */
export async function createAccountDialog() {
  const TYPES = await types();
  const typeSelect = h('select', { id: 'account-type', name: '_type' }, TYPES.map((t) => h('option', { value: t.id }, t.label)));
  const specific = h('div.form-grid');
  const oauthBox = h('div');
  const form = h('form', { id: 'account-form', onsubmit: (e) => e.preventDefault() }, h('div.form-grid', field('Account type', typeSelect)), h('div.form-grid', common()), specific, proxyFields(), oauthBox);
  let session = null;
  const sync = () => {
    const type = TYPES.find((t) => t.id === typeSelect.value);
    specific.replaceChildren(...typeFields(type.form));
    session = null;
    oauthBox.replaceChildren();
    if (type.device) {
      const code = h('div.muted', 'Start the authorization, enter the code on the page it opens, approve, then press Create.');
      oauthBox.append(h('fieldset', h('legend', 'Device authorization'),
        h('button', { type: 'button', 'data-action': 'start-device-auth', onclick: async () => {
          try {
            const reply = await post(`/admin/${type.path}/generate-auth-url`, {});
            session = reply.data.sessionId;
            code.replaceChildren(h('strong', { id: 'device-user-code' }, reply.data.userCode), ' — ',
              h('a', { href: reply.data.verificationUriComplete, target: '_blank', rel: 'noopener noreferrer', id: 'device-url' }, 'open the authorization page'));
          } catch (error) { toast(error.message, true); }
        } }, 'Start device authorization'), code));
    }
    if (type.oauth) {
      const codeInput = input('code', { placeholder: 'authorization code, code#state, or the whole callback URL', style: 'width:100%' });
      const link = h('div.muted', 'Generate a link, open it, approve, then paste the code here.');
      oauthBox.append(h('fieldset', h('legend', 'Authorization'),
        h('button', { type: 'button', 'data-action': 'generate-auth-url', onclick: async () => {
          try {
            const reply = await post(`/admin/${type.path}/generate-auth-url`, { ...(type.extra || {}) });
            session = reply.data.sessionId;
            link.replaceChildren(h('a', { href: reply.data.authUrl, target: '_blank', rel: 'noopener noreferrer', id: 'auth-url' }, 'Open the authorization page'));
          } catch (error) { toast(error.message, true); }
        } }, 'Generate authorization link'), link, field('Code', codeInput)));
    }
  };
  typeSelect.addEventListener('change', sync);
  sync();
  return dialog('Add account', form, [{ label: 'Cancel' }, { label: 'Create', id: 'save-account', primary: true, run: async (close) => {
    if (!form.reportValidity()) return;
    const type = TYPES.find((t) => t.id === typeSelect.value);
    const v = values(form);
    try {
      if (type.device) {
        if (!session) return toast('Start the device authorization first', true);
        const reply = await post(`/admin/${type.path}/exchange-code`, { ...bodyOf(type.form, v), sessionId: session });
        if (reply.pending) return toast('Not approved yet — approve on the authorization page, then press Create again', true);
      } else if (type.oauth) {
        if (!session || !v.code) return toast('Generate the link and paste the code first', true);
        await post(`/admin/${type.path}/exchange-code`, { ...bodyOf(type.form, v), sessionId: session, authorizationCode: v.code.trim() });
      } else {
        await post(`/admin/${type.path}`, bodyOf(type.form, v));
      }
      toast('Account created');
      close(true);
    } catch (error) { toast(error.message, true); }
  } }]);
}

/** Edit dialog of one account (its list's admin path says its type). */
export async function editAccountDialog(account, path) {
  const { kinds } = await accountKinds();
  const form = (kinds.find((k) => k.adminPath === path) || { form: [] }).form;
  const element = h('form', { onsubmit: (e) => e.preventDefault() }, h('div.form-grid', common(account)), h('div.form-grid', typeFields(form, account)), proxyFields(account));
  return dialog(`Edit ${account.name}`, element, [{ label: 'Cancel' }, { label: 'Save', primary: true, run: async (close) => {
    if (!element.reportValidity()) return;
    try {
      await put(`/admin/${path}/${account.id}`, bodyOf(form, values(element), account));
      toast('Saved');
      close(true);
    } catch (error) { toast(error.message, true); }
  } }]);
}
