// Upstream accounts of every type: health and recovery time, scheduling switch, usage, daily quotas, health checks and
// their history, usage history per day, reset / reset usage / refresh / delete, and the per-type create and edit forms.
import { h, mount, fmt, badge, dialog, toast, confirmAction } from '../ui.js';
import { get, post, put, del } from '../api.js';
import { createAccountDialog, editAccountDialog } from './account-forms.js';
import { lineChart } from '../chart.js';
import { accountKinds } from '../kinds.js';
import { requestHistory } from './request-history.js';
import { accountTestsDialog } from './account-tests.js';

export const title = 'Accounts';

/** Codex accounts: how much of the 5-hour and the weekly window is used, and when each resets. */
function usageWindows(a) {
  const u = a.codexUsage;
  if (!u) return null;
  const part = (w, label) => (w && w.usedPercent != null ? `${label} ${Math.round(w.usedPercent)}%` + (w.resetAt ? ` (resets ${fmt.date(w.resetAt)})` : '') : null);
  const text = [part(u.primary, '5h'), part(u.secondary, 'week')].filter(Boolean).join(' · ');
  return text ? h('div.muted', { 'data-usage-windows': true }, text) : null;
}

/** Accounts with a daily quota: the window's spend against it, and when a quota stop ends. */
function quotaLine(a) {
  const q = a.quota;
  if (!q) return null;
  const pct = q.dailyQuota > 0 ? Math.min(100, Math.round((q.used / q.dailyQuota) * 100)) : 0;
  return h('div.muted', { 'data-quota': true }, `quota $${q.used.toFixed(2)} / $${q.dailyQuota.toFixed(2)} (${pct}%)` +
    (q.exceeded ? ` · back ${fmt.date(q.resetAt)}` : ` · resets ${q.resetTime}`));
}

function health(a) {
  const state = (a.health || {}).state;
  if (state === 'rate_limited') return h('div', badge('rate limited', 'warn'), h('div.muted', 'until ' + fmt.date(a.health.until)));
  if (state === 'unavailable') return h('div', badge(a.health.reason || 'unavailable', a.health.reason === 'not schedulable' || a.health.reason === 'inactive' ? 'off' : 'bad'),
    a.errorMessage ? h('div.muted', a.errorMessage) : null);
  return badge('healthy', 'ok');
}

export async function render(container) {
  const { kinds } = await accountKinds();
  const LISTS = kinds.map((k) => [k.adminPath, k.label]);
  const OAUTH_PATHS = new Set(kinds.filter((k) => k.oauth).map((k) => k.adminPath));
  const filter = h('select', { 'aria-label': 'Type', onchange: () => draw() }, h('option', { value: '' }, 'All types'), LISTS.map(([p, l]) => h('option', { value: p }, l)));
  const search = h('input', { type: 'search', placeholder: 'Search name, description, email…', 'aria-label': 'Search accounts', id: 'account-search', oninput: () => draw() });
  const healthFilter = h('select', { 'aria-label': 'Health', id: 'account-health-filter', onchange: () => draw() },
    [['', 'Any health'], ['available', 'Healthy'], ['rate_limited', 'Rate limited'], ['unavailable', 'Unavailable']].map(([v, l]) => h('option', { value: v }, l)));
  const sort = h('select', { 'aria-label': 'Sort', id: 'account-sort', onchange: () => draw() },
    [['priority', 'By priority'], ['name', 'By name'], ['lastUsed', 'Last used first']].map(([v, l]) => h('option', { value: v }, l)));
  const table = h('div.panel#accounts-table');
  mount(container, h('h1', 'Accounts'), h('div.toolbar', filter, search, healthFilter, sort, h('button', { type: 'button', onclick: () => load() }, 'Refresh'), h('div.spacer'),
    h('button.primary', { type: 'button', 'data-action': 'add-account', onclick: async () => { if (await createAccountDialog()) load(); } }, '+ Add account')), table);
  let rows = [];
  let usage = {};
  let groups = [];
  const selected = new Set();
  // Batch actions on the selected accounts: pause, resume, add to a group, delete.
  const batchBar = h('div.toolbar#account-batch');
  container.insertBefore(batchBar, table);
  function drawBatch() {
    const chosen = rows.filter((a) => selected.has(a.id));
    if (!chosen.length) { mount(batchBar); return; }
    const each = async (run, done) => {
      for (const a of chosen) { try { await run(a); } catch (error) { toast(`${a.name}: ${error.message}`, true); } }
      toast(done); selected.clear(); load();
    };
    const groupSelect = h('select', { 'aria-label': 'Add to group', id: 'batch-group' }, h('option', { value: '' }, 'Add to group…'),
      groups.map((g) => h('option', { value: g.id }, `${g.name} (${g.platform})`)));
    groupSelect.onchange = () => groupSelect.value && each((a) => post(`/admin/account-groups/${groupSelect.value}/members`, { accountId: a.id }), 'Added to the group');
    mount(batchBar, h('strong', `${chosen.length} selected`),
      h('button.small', { type: 'button', 'data-action': 'batch-pause', onclick: () => each((a) => a.schedulable !== false && put(`/admin/${a._path}/${a.id}/toggle-schedulable`), 'Paused') }, 'Pause'),
      h('button.small', { type: 'button', 'data-action': 'batch-resume', onclick: () => each((a) => a.schedulable === false && put(`/admin/${a._path}/${a.id}/toggle-schedulable`), 'Resumed') }, 'Resume'),
      groups.length ? groupSelect : null,
      h('button.small.danger', { type: 'button', 'data-action': 'batch-delete', onclick: async () => {
        if (await confirmAction('Delete accounts', `Delete ${chosen.length} account(s)? Keys bound to them get a clear error until rebound.`, 'Delete')) each((a) => del(`/admin/${a._path}/${a.id}`), 'Deleted');
      } }, 'Delete'),
      h('button.small', { type: 'button', onclick: () => { selected.clear(); draw(); } }, 'Clear'));
  }

  async function load() {
    const lists = await Promise.all(LISTS.map(async ([path, label]) => {
      try { return (await get('/admin/' + path)).data.map((a) => ({ ...a, _path: path, _label: a.oauthProvider === 'antigravity' ? label + ' · Antigravity' : label })); } catch { return []; }
    }));
    rows = lists.flat();
    usage = (await get('/admin/claude-accounts/usage')).data || {};
    groups = (await get('/admin/account-groups').catch(() => ({ data: [] }))).data || [];
    draw();
  }

  function draw() {
    const needle = search.value.trim().toLowerCase();
    const order = {
      priority: (x, y) => (x.priority ?? 50) - (y.priority ?? 50) || String(x.name).localeCompare(String(y.name)),
      name: (x, y) => String(x.name).localeCompare(String(y.name)),
      lastUsed: (x, y) => String(y.lastUsedAt || '').localeCompare(String(x.lastUsedAt || '')),
    }[sort.value];
    const shown = rows.filter((a) => (!filter.value || a._path === filter.value)
      && (!healthFilter.value || (a.health || {}).state === healthFilter.value)
      && (!needle || [a.name, a.description, a.email].some((t) => String(t || '').toLowerCase().includes(needle)))).sort(order);
    mount(table, shown.length ? h('table',
      h('thead', h('tr', h('th', h('input', { type: 'checkbox', 'aria-label': 'Select all shown', checked: shown.every((a) => selected.has(a.id)),
        onchange: (event) => { for (const a of shown) event.target.checked ? selected.add(a.id) : selected.delete(a.id); draw(); } })),
        ['Name', 'Type', 'Health', 'Scheduling', 'Priority', 'Usage', 'Last used', ''].map((t) => h('th', t)))),
      h('tbody', shown.map((a) => {
        const u = usage[a.id];
        return h('tr', { 'data-account-id': a.id, 'data-account-name': a.name },
          h('td', h('input', { type: 'checkbox', 'aria-label': 'Select ' + a.name, 'data-select': true, checked: selected.has(a.id),
            onchange: (event) => { event.target.checked ? selected.add(a.id) : selected.delete(a.id); drawBatch(); } })),
          h('td', h('strong', a.name), h('div.muted', a.description || ''), a.email ? h('div.muted', a.email) : null),
          h('td', a._label),
          h('td', health(a), usageWindows(a), quotaLine(a)),
          h('td', h('label.check', h('input', { type: 'checkbox', checked: a.schedulable !== false, 'aria-label': 'Schedulable',
            onchange: async () => { await put(`/admin/${a._path}/${a.id}/toggle-schedulable`); load(); } }), a.schedulable !== false ? 'on' : 'paused')),
          h('td', a.priority ?? ''),
          h('td', u ? [h('div', `${fmt.int(u.total.requests)} req · ${fmt.tokens(u.total.allTokens)} tok`), h('div.muted', `today ${fmt.int(u.today.requests)} req`)] : h('span.muted', '—')),
          h('td', fmt.date(a.lastUsedAt)),
          h('td', { style: 'white-space:nowrap' },
            h('button.small', { type: 'button', onclick: () => history(a) }, 'History'), ' ',
            h('button.small', { type: 'button', 'data-action': 'requests', onclick: () => requestHistory(`/admin/accounts/${a.id}/usage-records`, `Requests — ${a.name}`, { forAccount: true }) }, 'Requests'), ' ',
            h('button.small', { type: 'button', 'data-action': 'check', onclick: () => check(a) }, 'Check'), ' ',
            a._path === 'claude-accounts' ? [h('button.small', { type: 'button', 'data-action': 'tests', onclick: () => accountTestsDialog(a) }, 'Tests'), ' '] : null,
            h('button.small', { type: 'button', 'data-action': 'edit', onclick: async () => { if (await editAccountDialog(a, a._path)) load(); } }, 'Edit'), ' ',
            a.health && a.health.state !== 'available' && a.health.reason !== 'daily quota exceeded' ? [h('button.small', { type: 'button', onclick: async () => { await post(`/admin/${a._path}/${a.id}/reset-status`); toast('Status reset'); load(); } }, 'Reset'), ' '] : null,
            a.quota && (a.quota.used > 0 || a.quota.exceeded) ? [h('button.small', { type: 'button', 'data-action': 'reset-usage', onclick: async () => {
              await post(`/admin/${a._path}/${a.id}/reset-usage`); toast('Quota usage reset'); load();
            } }, 'Reset usage'), ' '] : null,
            OAUTH_PATHS.has(a._path) ? [h('button.small', { type: 'button', onclick: async () => {
              try { await post(`/admin/${a._path}/${a.id}/refresh`); toast('Token refreshed'); load(); } catch (e) { toast(e.message, true); }
            } }, 'Refresh token'), ' '] : null,
            h('button.small.danger', { type: 'button', onclick: async () => {
              if (await confirmAction('Delete account', `Delete “${a.name}”? Keys bound to it will get a clear error until rebound.`, 'Delete')) { await del(`/admin/${a._path}/${a.id}`); load(); }
            } }, 'Delete')));
      })))
      : h('div.empty', 'No accounts yet — add one to start relaying'));
    drawBatch();
  }

  async function check(a) {
    try {
      const reply = await post(`/admin/${a._path}/${a.id}/health-check`);
      const r = reply.data || {};
      toast(`${a.name}: ${r.outcome}${r.status ? ' (HTTP ' + r.status + ')' : ''}${r.detail ? ' — ' + r.detail : ''}`, r.outcome !== 'healthy' && r.outcome !== 'recovered');
      load();
    } catch (error) { toast(error.message, true); }
  }

  async function history(a) {
    const body = h('div', 'Loading…');
    const open = dialog(`History — ${a.name}`, body, [{ label: 'Close', primary: true }]);
    const [usageHistory, checks, errors] = await Promise.all([
      get(`/admin/accounts/${a.id}/usage-history?platform=${encodeURIComponent(a.platform)}&days=30`),
      get(`/admin/${a._path}/${a.id}/health-history`).catch(() => ({ data: [] })),
      get(`/admin/accounts/${encodeURIComponent(a.usageType || a.platform)}/${a.id}/error-history?limit=30`).catch(() => ({ data: [] })),
    ]);
    const days = usageHistory.data.history;
    const s = usageHistory.data.summary;
    mount(body, h('p', `${fmt.int(s.totalRequests)} requests · ${fmt.tokens(s.totalTokens)} tokens · ${s.formattedTotalCost} in ${s.days} days`),
      lineChart(days.map((d) => d.date.slice(5)), [{ name: 'Requests', values: days.map((d) => d.requests) }]),
      h('h2', 'Health checks'),
      checks.data.length ? h('table', h('tbody', checks.data.slice(0, 20).map((c) => h('tr', h('td', fmt.date(c.at)),
        h('td', c.outcome + (c.status ? ` (HTTP ${c.status})` : '')), h('td', c.latencyMs != null ? c.latencyMs + ' ms' : ''), h('td.muted', c.detail || ''))))) : h('p.muted', 'No checks recorded yet'),
      h('h2', 'Upstream errors'),
      errors.data.length ? h('table', { 'data-error-history': true }, h('tbody', errors.data.slice(0, 30).map((e) => h('tr', h('td', fmt.date(e.time)),
        h('td', e.status ? `HTTP ${e.status}` : 'unreachable'), h('td', e.errorType), h('td.muted', (e.context && e.context.message) || ''))))) : h('p.muted', 'No upstream errors in the last 3 days'));
    await open;
  }

  await load();
}
