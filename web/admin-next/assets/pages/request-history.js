// Request history (Node's usage-records views): a key's or an account's recorded requests with model, account or
// key, tokens and cost per request, filtered by model and account (or key), paged, with the summary of what matched.
import { h, mount, fmt, dialog, pager } from '../ui.js';
import { get, qs } from '../api.js';

/** Opens the dialog. `path`: `/admin/api-keys/{id}/usage-records` or `/admin/accounts/{id}/usage-records`. */
export async function requestHistory(path, title, { forAccount = false } = {}) {
  const body = h('div', { 'data-request-history': true }, 'Loading…');
  const open = dialog(title, body, [{ label: 'Close', primary: true }]);
  const filters = { model: '', accountId: '', keyId: '', page: 1, pageSize: 20 };

  async function load() {
    const reply = await get(path + qs(filters));
    const d = reply.data;
    const select = (name, options, label) => h('select', { 'aria-label': label, onchange: (event) => { filters[name] = event.target.value; filters.page = 1; load(); } },
      h('option', { value: '' }, label), options.map(([value, text]) => h('option', { value, selected: filters[name] === value }, text)));
    const models = select('model', d.availableFilters.models.map((m) => [m, m]), 'All models');
    const accounts = forAccount ? null : select('accountId', d.availableFilters.accounts.map((a) => [a.id, a.name]), 'All accounts');
    const s = d.summary;
    const rows = d.records.length ? h('table',
      h('thead', h('tr', ['Time', 'Model', forAccount ? 'Key' : 'Account', 'Input', 'Output', 'Cache (write / read)', 'Cost'].map((t) => h('th', t)))),
      h('tbody', d.records.map((r) => h('tr', { 'data-record': true },
        h('td', fmt.date(r.timestamp)), h('td', r.model), h('td', forAccount ? r.keyName || r.keyId : r.accountName || r.accountId || '—'),
        h('td', fmt.int(r.inputTokens)), h('td', fmt.int(r.outputTokens)),
        h('td', `${fmt.int(r.cacheCreateTokens)} / ${fmt.int(r.cacheReadTokens)}`),
        h('td', r.cost == null ? h('span.muted', 'unpriced') : fmt.cost(r.cost))))))
      : h('p.muted', 'No requests match');
    const pages = pager(d.pagination, (page) => { filters.page = page; load(); });
    mount(body, h('div.toolbar', models, accounts),
      h('p', { 'data-summary': true }, `${fmt.int(s.totalRequests)} requests · ${fmt.tokens(s.totalTokens)} tokens · ${fmt.cost(s.totalCost)}` +
        (s.unpricedRequests ? ` (+${s.unpricedRequests} unpriced)` : '')),
      rows, pages);
  }

  try { await load(); } catch (error) { mount(body, h('p.muted', error.message)); }
  await open;
}
