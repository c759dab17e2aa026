// The create / edit dialog of an API key: every field the relay stores — bindings to accounts or groups, tags,
// permissions, limits, expiry modes, model and client restrictions.
import { h, field, dialog, toast } from '../ui.js';
import { get, post, put } from '../api.js';
import { accountKinds } from '../kinds.js';

/** Everything the dialog offers: the key fields that bind to accounts with each kind's accounts, groups, tags and
 * supported clients (loaded in parallel). */
export async function loadChoices() {
  const { kinds, bindings } = await accountKinds();
  const lists = await Promise.all(kinds.map(async (kind) => {
    try { return [kind.name, (await get('/admin/' + kind.adminPath)).data || []]; } catch { return [kind.name, []]; }
  }));
  const [groups, tags, clients] = await Promise.all([get('/admin/account-groups').catch(() => ({ data: [] })), get('/admin/api-keys/tags'),
    get('/admin/supported-clients')]);
  return { bindings, accounts: Object.fromEntries(lists), groups: groups.data || [], tags: tags.data || [], clients: clients.data || [] };
}

function options(current, groups) {
  const select = h('select');
  select.append(h('option', { value: '' }, 'Shared pool (any account)'));
  for (const [label, items] of groups) {
    if (!items.length) continue;
    const group = h('optgroup', { label });
    for (const [value, text] of items) group.append(h('option', { value, selected: value === current }, text));
    select.append(group);
  }
  if (current && ![...select.options].some((o) => o.value === current)) select.append(h('option', { value: current, selected: true }, `${current} (missing)`));
  return select;
}

const named = (prefix) => (a) => [prefix + a.id, `${a.name}${a.isActive === false ? ' (disabled)' : ''}`];
const groupsOf = (choices, platform) => choices.groups.filter((g) => g.platform === platform).map((g) => ['group:' + g.id, `Group: ${g.name}`]);

function localInput(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  return new Date(d.getTime() - d.getTimezoneOffset() * 60000).toISOString().slice(0, 16);
}

/** Opens the dialog; resolves with the server's reply data (with the one-time `key` on create), or undefined. */
export async function keyDialog(choices, key = null) {
  const k = key || { permissions: 'all', expirationMode: 'fixed', activationUnit: 'days', activationDays: 30, tags: [], restrictedModels: [], allowedClients: [] };
  // One select per binding field: the accounts of each kind it can name (with the kind's value prefix), and groups.
  const bindings = choices.bindings.map((binding) => {
    const select = options(k[binding.field] || '', [
      ...binding.kinds.map((kind) => [kind.label, (choices.accounts[kind.name] || []).map(named(kind.prefix))]),
      ['Groups', binding.groupPlatform ? groupsOf(choices, binding.groupPlatform) : []]]);
    select.name = 'bind-' + binding.field;
    return { binding, select };
  });

  const input = (name, value, attrs = {}) => h('input', { name, value: value ?? '', ...attrs });
  const number = (name, value, step = '1') => input(name, value ?? 0, { type: 'number', min: 0, step });
  const expiryMode = h('select', { name: 'expirationMode' }, h('option', { value: 'fixed', selected: k.expirationMode !== 'activation' }, 'Fixed date (or never)'),
    h('option', { value: 'activation', selected: k.expirationMode === 'activation' }, 'Starts at first use'));
  const fixedBox = h('div.form-grid', field('Expires at (empty = never)', input('expiresAt', localInput(k.expiresAt), { type: 'datetime-local' })));
  const activationBox = h('div.form-grid', field('Valid for', number('activationDays', k.activationDays || 30)),
    field('Unit', h('select', { name: 'activationUnit' }, ['days', 'hours'].map((u) => h('option', { value: u, selected: k.activationUnit === u }, u)))));
  const syncExpiry = () => { fixedBox.hidden = expiryMode.value === 'activation'; activationBox.hidden = !fixedBox.hidden; };
  expiryMode.addEventListener('change', syncExpiry);
  syncExpiry();

  const clientBoxes = choices.clients.map((c) => h('label.check', h('input', { type: 'checkbox', value: c.id, 'data-client': true,
    checked: (k.allowedClients || []).includes(c.id) }), c.name || c.id));
  const isCreate = !key;
  const form = h('form', { id: 'key-form', onsubmit: (e) => e.preventDefault() },
    h('fieldset', h('legend', 'Key'), h('div.form-grid',
      field('Name', input('name', k.name, { required: true, maxLength: 100, id: 'key-name' })),
      field('Description', input('description', k.description)),
      field('Tags (comma separated)', input('tags', (k.tags || []).join(', '), { list: 'known-tags' })),
      h('datalist', { id: 'known-tags' }, choices.tags.map((t) => h('option', { value: t }))),
      field('Services', h('select', { name: 'permissions' }, [['all', 'All'], ['claude', 'Claude'], ['gemini', 'Gemini'], ['openai', 'OpenAI'], ['droid', 'Droid']]
        .map(([v, t]) => h('option', { value: v, selected: k.permissions === v }, t)))),
      isCreate ? field('How many (batch: 2–500)', number('count', 1)) : field('Active', h('input', { type: 'checkbox', name: 'isActive', checked: k.isActive !== false })))),
    h('fieldset', h('legend', 'Account binding (empty = shared pool)'), h('div.form-grid',
      bindings.map(({ binding, select }) => field(binding.label, select)))),
    h('fieldset', h('legend', 'Limits (0 = none)'), h('div.form-grid',
      field('Concurrent requests', number('concurrencyLimit', k.concurrencyLimit)),
      field('Rate window (minutes)', number('rateLimitWindow', k.rateLimitWindow)),
      field('Requests per window', number('rateLimitRequests', k.rateLimitRequests)),
      field('Cost per window ($)', number('rateLimitCost', k.rateLimitCost, '0.01')),
      field('Tokens per window (legacy)', number('tokenLimit', k.tokenLimit)),
      field('Daily cost ($)', number('dailyCostLimit', k.dailyCostLimit, '0.01')),
      field('Total cost ($)', number('totalCostLimit', k.totalCostLimit, '0.01')),
      field('Weekly Opus cost ($)', number('weeklyOpusCostLimit', k.weeklyOpusCostLimit, '0.01')))),
    h('fieldset', h('legend', 'Expiry'), h('div.form-grid', field('Mode', expiryMode)), fixedBox, activationBox),
    h('fieldset', h('legend', 'Restrictions'),
      h('label.check', h('input', { type: 'checkbox', name: 'enableModelRestriction', checked: !!k.enableModelRestriction }), 'Block these models'),
      h('textarea', { name: 'restrictedModels', placeholder: 'one model per line' }, (k.restrictedModels || []).join('\n')),
      h('label.check', h('input', { type: 'checkbox', name: 'enableClientRestriction', checked: !!k.enableClientRestriction }), 'Only these clients:'),
      h('div', clientBoxes)));

  function body() {
    const v = Object.fromEntries([...form.querySelectorAll('[name]')].map((el) => [el.name, el.type === 'checkbox' ? el.checked : el.value]));
    const out = {
      name: v.name.trim(), description: v.description, permissions: v.permissions,
      tags: v.tags.split(',').map((t) => t.trim()).filter(Boolean),
      enableModelRestriction: v.enableModelRestriction, restrictedModels: v.restrictedModels.split('\n').map((m) => m.trim()).filter(Boolean),
      enableClientRestriction: v.enableClientRestriction,
      allowedClients: [...form.querySelectorAll('[data-client]')].filter((c) => c.checked).map((c) => c.value),
      expirationMode: v.expirationMode,
    };
    for (const name of ['concurrencyLimit', 'rateLimitWindow', 'rateLimitRequests', 'rateLimitCost', 'tokenLimit', 'dailyCostLimit', 'totalCostLimit', 'weeklyOpusCostLimit']) {
      out[name] = Number(v[name] || 0);
    }
    if (v.expirationMode === 'activation') {
      out.activationDays = Number(v.activationDays || 30);
      out.activationUnit = v.activationUnit;
      out.expiresAt = null;
    } else {
      out.expiresAt = v.expiresAt ? new Date(v.expiresAt).toISOString() : null;
    }
    for (const { binding } of bindings) out[binding.field] = v['bind-' + binding.field] || null;
    if (!isCreate) out.isActive = v.isActive;
    return { out, count: Number(v.count || 1) };
  }

  return dialog(isCreate ? 'Create API key' : `Edit ${k.name}`, form, [{ label: 'Cancel' }, {
    label: isCreate ? 'Create' : 'Save', id: 'save-key', primary: true, run: async (close) => {
      if (!form.reportValidity()) return;
      const { out, count } = body();
      try {
        if (!isCreate) return close((await put(`/admin/api-keys/${k.id}`, out)).data);
        if (count > 1) return close({ batch: (await post('/admin/api-keys/batch', { ...out, baseName: out.name, count })).data });
        close((await post('/admin/api-keys', out)).data);
      } catch (error) { toast(error.message, true); }
    },
  }]);
}
