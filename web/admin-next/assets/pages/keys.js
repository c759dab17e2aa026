// API keys: a server-side filtered and paged table with usage and limit bars, create / edit / batch dialogs, the
// show-once key dialog, row actions, multi-select actions, and the deleted tab.
import { h, mount, fmt, meter, badge, dialog, toast, confirmAction, debounce } from '../ui.js';
import { get, post, put, del, qs } from '../api.js';
import { keyDialog, loadChoices } from './key-form.js';
import { requestHistory } from './request-history.js';

export const title = 'API Keys';

const state = { tab: 'active', search: '', tag: '', status: '', page: 1, pageSize: 25, selected: new Set() };

function statusOf(k) {
  if (!k.isActive) return badge('disabled', 'off');
  if (k.expiresAt && new Date(k.expiresAt) <= new Date()) return badge('expired', 'bad');
  if (k.expirationMode === 'activation' && !k.isActivated) return badge('not activated', 'warn');
  return badge('active', 'ok');
}

function usageCell(u) {
  return h('div', h('div', `${fmt.int(u.requests)} req`), h('div.muted', `${fmt.tokens(u.allTokens)} tok · ${fmt.cost(u.cost)}`));
}

function limitsCell(k) {
  const bars = [];
  if (k.dailyCostLimit) bars.push(meter(+k.dailyCost.toFixed(4), k.dailyCostLimit, 'Daily $'));
  if (k.totalCostLimit) bars.push(meter(+k.totalCost.toFixed(4), k.totalCostLimit, 'Total $'));
  if (k.weeklyOpusCostLimit) bars.push(meter(+k.weeklyOpusCost.toFixed(4), k.weeklyOpusCostLimit, 'Opus/week $'));
  if (k.rateLimitRequests) bars.push(meter(k.currentWindowRequests, k.rateLimitRequests, `Req/${k.rateLimitWindow}m`));
  if (k.rateLimitCost) bars.push(meter(+k.currentWindowCost.toFixed(4), k.rateLimitCost, `$/${k.rateLimitWindow}m`));
  if (k.concurrencyLimit) bars.push(h('div.meter', h('div.text', `Concurrency ≤ ${k.concurrencyLimit}`)));
  return bars.length ? bars : h('span.muted', 'none');
}

export async function showNewKeys(created) {
  const list = Array.isArray(created) ? created : [created];
  const text = list.map((k) => `${k.name}\t${k.key}`).join('\n');
  const body = h('div', h('p', 'Copy the key now: it is shown only once and cannot be recovered.'),
    list.length === 1 ? h('div.secret-box#new-key-value', list[0].key) : h('pre.code#new-key-value', text));
  await dialog(list.length === 1 ? 'Your new API key' : `${list.length} new API keys`, body, [
    { label: 'Copy', run: async () => { try { await navigator.clipboard.writeText(list.length === 1 ? list[0].key : text); toast('Copied'); } catch { toast('Copy failed: select and copy by hand', true); } } },
    { label: 'Done', id: 'close-new-key', primary: true },
  ]);
}

export async function render(container) {
  let choices = null;
  const ensureChoices = async () => (choices = choices || (await loadChoices()));
  const tagSelect = h('select', { 'aria-label': 'Tag', onchange: (e) => { state.tag = e.target.value; state.page = 1; load(); } });
  const table = h('div.panel#keys-table');
  const bulk = h('span');
  const tabs = h('div.tabs');
  const search = h('input', { type: 'search', placeholder: 'Search name, id, tag…', value: state.search, 'aria-label': 'Search',
    oninput: debounce((e) => { state.search = e.target.value; state.page = 1; load(); }) });
  const toolbar = h('div.toolbar', search, tagSelect,
    h('select', { 'aria-label': 'Status', onchange: (e) => { state.status = e.target.value; state.page = 1; load(); } },
      [['', 'Any status'], ['active', 'Active'], ['inactive', 'Disabled'], ['expired', 'Expired']].map(([v, t]) => h('option', { value: v, selected: state.status === v }, t))),
    h('div.spacer'), bulk,
    h('button.primary', { type: 'button', 'data-action': 'create-key', onclick: async () => {
      const created = await keyDialog(await ensureChoices());
      if (created) { await showNewKeys(created.batch || created); load(); }
    } }, '+ Create key'));
  mount(container, h('h1', 'API Keys'), tabs, toolbar, table);

  function renderTabs() {
    mount(tabs, [['active', 'Keys'], ['deleted', 'Deleted']].map(([id, label]) =>
      h('button' + (state.tab === id ? '.active' : ''), { type: 'button', 'data-tab': id, onclick: () => { state.tab = id; load(); } }, label)));
    toolbar.hidden = state.tab !== 'active';
  }

  function renderBulk() {
    const n = state.selected.size;
    mount(bulk, n ? [h('span.muted', `${n} selected `),
      h('button', { type: 'button', onclick: bulkTag }, 'Add tag'),
      h('button.danger', { type: 'button', 'data-action': 'bulk-delete', onclick: bulkDelete }, 'Delete selected')] : null);
  }

  async function bulkDelete() {
    if (!(await confirmAction('Delete keys', `Delete ${state.selected.size} keys? They stop working at once; restore them from the Deleted tab.`, 'Delete'))) return;
    const reply = await del('/admin/api-keys/batch', { keyIds: [...state.selected] });
    toast(`${reply.data.successCount} deleted, ${reply.data.failedCount} failed`, reply.data.failedCount > 0);
    state.selected.clear();
    load();
  }

  async function bulkTag() {
    const input = h('input', { placeholder: 'tag' });
    const tag = await dialog('Add a tag to the selected keys', input, [{ label: 'Cancel' }, { label: 'Add', primary: true, run: (close) => close(input.value.trim()) }]);
    if (!tag) return;
    const reply = await put('/admin/api-keys/batch', { keyIds: [...state.selected], updates: { tags: [tag], tagOperation: 'add' } });
    toast(`${reply.data.successCount} keys tagged`);
    load();
  }

  async function loadTags() {
    const tags = (await get('/admin/api-keys/tags')).data;
    mount(tagSelect, h('option', { value: '' }, 'Any tag'), tags.map((t) => h('option', { value: t, selected: t === state.tag }, t)));
  }

  async function load() {
    renderTabs();
    renderBulk();
    if (state.tab === 'deleted') return loadDeleted();
    const reply = await get('/admin/api-keys' + qs({ page: state.page, pageSize: state.pageSize, search: state.search, tag: state.tag, status: state.status }));
    const keys = reply.data;
    const p = reply.pagination;
    const all = h('input', { type: 'checkbox', 'aria-label': 'Select page', onchange: (e) => {
      for (const k of keys) e.target.checked ? state.selected.add(k.id) : state.selected.delete(k.id);
      load();
    } });
    mount(table, keys.length ? h('table',
      h('thead', h('tr', h('th', all), ['Name', 'Status', 'Today', 'Total', 'Limits', 'Expires', 'Last used', ''].map((t) => h('th', t)))),
      h('tbody', keys.map((k) => h('tr', { 'data-key-id': k.id, 'data-key-name': k.name },
        h('td', h('input', { type: 'checkbox', checked: state.selected.has(k.id), 'aria-label': 'Select ' + k.name,
          onchange: (e) => { e.target.checked ? state.selected.add(k.id) : state.selected.delete(k.id); renderBulk(); } })),
        h('td', h('strong', k.name), h('div.muted', k.description || ''), h('div', (k.tags || []).map((t) => h('span.tag', t)))),
        h('td', statusOf(k)),
        h('td', { 'data-col': 'today' }, usageCell(k.usage.daily)),
        h('td', { 'data-col': 'total' }, usageCell(k.usage.total)),
        h('td', limitsCell(k)),
        h('td', k.expirationMode === 'activation' && !k.isActivated ? `${k.activationDays} ${k.activationUnit} after first use` : (k.expiresAt ? fmt.date(k.expiresAt) : 'never')),
        h('td', fmt.date(k.lastUsedAt)),
        h('td', { style: 'white-space:nowrap' },
          h('button.small', { type: 'button', 'data-action': 'models', onclick: () => showModels(k) }, 'Models'), ' ',
          h('button.small', { type: 'button', 'data-action': 'requests', onclick: () => requestHistory(`/admin/api-keys/${k.id}/usage-records`, `Requests — ${k.name}`) }, 'Requests'), ' ',
          h('button.small', { type: 'button', 'data-action': 'edit', onclick: async () => { if (await keyDialog(await ensureChoices(), k)) { toast('Saved'); load(); } } }, 'Edit'), ' ',
          h('button.small', { type: 'button', 'data-action': 'toggle', onclick: async () => { await put(`/admin/api-keys/${k.id}`, { isActive: !k.isActive }); load(); } },
            k.isActive ? 'Disable' : 'Enable'), ' ',
          h('button.small.danger', { type: 'button', 'data-action': 'delete', onclick: async () => {
            if (await confirmAction('Delete key', `Delete “${k.name}”? It stops working at once.`, 'Delete')) { await del(`/admin/api-keys/${k.id}`); toast('Deleted'); load(); }
          } }, 'Delete'))))))
      : h('div.empty', state.search || state.tag || state.status ? 'No key matches' : 'No API keys yet — create one'),
    p ? h('div.pager', h('span.muted#keys-count', `${p.total} keys · page ${p.page} of ${p.totalPages}`),
      h('button', { type: 'button', disabled: p.page <= 1, onclick: () => { state.page--; load(); } }, '‹ Prev'),
      h('button', { type: 'button', disabled: p.page >= p.totalPages, onclick: () => { state.page++; load(); } }, 'Next ›'),
      h('select', { 'aria-label': 'Page size', onchange: (e) => { state.pageSize = Number(e.target.value); state.page = 1; load(); } },
        [25, 50, 100, 200].map((n) => h('option', { value: n, selected: n === state.pageSize }, `${n} / page`)))) : null);
  }

  async function showModels(k) {
    const body = h('div', 'Loading…');
    const open = dialog(`Usage by model — ${k.name}`, body, [{ label: 'Close', primary: true }]);
    const [daily, monthly] = await Promise.all([get(`/admin/api-keys/${k.id}/model-stats?period=daily`), get(`/admin/api-keys/${k.id}/model-stats?period=monthly`)]);
    const rows = (list) => list.length ? h('table', h('thead', h('tr', ['Model', 'Requests', 'Input', 'Output', 'Cache', 'Cost'].map((t) => h('th', t)))),
      h('tbody', list.map((m) => h('tr', h('td', m.model), h('td', fmt.int(m.requests)), h('td', fmt.tokens(m.inputTokens)), h('td', fmt.tokens(m.outputTokens)),
        h('td', fmt.tokens(m.cacheCreateTokens + m.cacheReadTokens)), h('td', m.formatted.total))))) : h('p.muted', 'No usage');
    mount(body, h('h2', 'Today'), rows(daily.data), h('h2', 'This month'), rows(monthly.data));
    await open;
  }

  async function loadDeleted() {
    const reply = await get('/admin/api-keys/deleted');
    const keys = reply.apiKeys;
    mount(table, h('div.toolbar', h('span.muted', `${keys.length} deleted keys`), h('div.spacer'),
      keys.length ? h('button.danger', { type: 'button', onclick: async () => {
        if (await confirmAction('Purge', 'Remove every deleted key for good? Their usage history stays.', 'Purge all')) { await del('/admin/api-keys/deleted/clear-all'); load(); }
      } }, 'Purge all') : null),
    keys.length ? h('table', h('thead', h('tr', ['Name', 'Deleted', 'By', ''].map((t) => h('th', t)))),
      h('tbody', keys.map((k) => h('tr', { 'data-key-id': k.id }, h('td', k.name), h('td', fmt.date(k.deletedAt)), h('td', k.deletedBy || ''),
        h('td', h('button.small', { type: 'button', 'data-action': 'restore', onclick: async () => { await post(`/admin/api-keys/${k.id}/restore`); toast('Restored'); load(); } }, 'Restore'), ' ',
          h('button.small.danger', { type: 'button', 'data-action': 'purge', onclick: async () => {
            if (await confirmAction('Purge key', `Remove “${k.name}” for good?`, 'Purge')) { await del(`/admin/api-keys/${k.id}/permanent`); load(); }
          } }, 'Purge'))))))
      : h('div.empty', 'No deleted keys'));
  }

  await Promise.all([loadTags(), load()]);
}
