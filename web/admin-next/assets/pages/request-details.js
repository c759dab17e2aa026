// Request details (Node's view): the requests captured while capture is on (Settings), newest first, filtered by key,
// account, model or a keyword, with the summary of what matched; a row opens the record and its body preview.
import { h, mount, fmt, dialog, toast, pager } from '../ui.js';
import { get, post, qs } from '../api.js';

export const title = 'Requests';

export async function render(container) {
  const filters = { apiKeyId: '', accountId: '', model: '', keyword: '', page: 1, pageSize: 50 };
  const panel = h('div.panel#request-details');
  mount(container, h('h1', 'Requests'), panel);

  async function load() {
    const d = (await get('/admin/request-details' + qs(filters))).data;
    const select = (name, options, label) => h('select', { 'aria-label': label, 'data-filter': name, onchange: (event) => { filters[name] = event.target.value; filters.page = 1; load(); } },
      h('option', { value: '' }, label), options.map(([value, text]) => h('option', { value, selected: filters[name] === value }, text)));
    const keyword = h('input', { type: 'search', placeholder: 'Request id, model, endpoint…', value: filters.keyword, id: 'request-keyword',
      onchange: (event) => { filters.keyword = event.target.value.trim(); filters.page = 1; load(); } });
    const s = d.summary;
    const state = d.captureEnabled
      ? h('p.muted', `Capture on · kept ${d.retentionHours} h · body previews ${d.bodyPreviewEnabled ? 'on' : 'off'}`)
      : h('p.muted', { id: 'capture-off' }, 'Capture is off: switch it on under Settings → Request details to keep requests here.');
    const rows = d.records.length ? h('table',
      h('thead', h('tr', ['Time', 'Endpoint', 'Model', 'Key', 'Account', 'Tokens (in / out)', 'Cost', 'Duration'].map((t) => h('th', t)))),
      h('tbody', d.records.map((r) => h('tr', { 'data-request-detail': r.requestId, style: 'cursor:pointer', onclick: () => show(r.requestId) },
        h('td', fmt.date(r.timestamp)), h('td', (r.stream ? 'stream · ' : '') + r.endpoint), h('td', r.model),
        h('td', r.apiKeyName || r.apiKeyId), h('td', r.accountName || r.accountId),
        h('td', `${fmt.int(r.inputTokens)} / ${fmt.int(r.outputTokens)}`), h('td', r.cost == null ? h('span.muted', 'unpriced') : fmt.cost(r.cost)),
        h('td', `${fmt.int(r.durationMs)} ms`)))))
      : h('p.muted', 'No captured requests match');
    const pages = pager(d.pagination, (page) => { filters.page = page; load(); });
    const purge = d.bodyPreviewEnabled || d.records.some((r) => r.requestBodySnapshot) ? h('button.small', { type: 'button', 'data-action': 'purge-previews', onclick: async () => {
      const r = (await post('/admin/request-details/body-preview-purge')).data;
      toast(`${r.updatedRecords} body previews removed`);
      load();
    } }, 'Remove body previews') : null;
    mount(panel, state,
      h('div.toolbar', select('apiKeyId', d.availableFilters.apiKeys.map((k) => [k.id, k.name]), 'All keys'),
        select('accountId', d.availableFilters.accounts.map((a) => [a.id, a.name]), 'All accounts'),
        select('model', d.availableFilters.models.map((m) => [m, m]), 'All models'), keyword, purge),
      h('p', { 'data-summary': true }, `${fmt.int(s.totalRequests)} requests · ${fmt.int(s.inputTokens)} in / ${fmt.int(s.outputTokens)} out · ` +
        `${fmt.cost(s.totalCost)} · ${fmt.int(s.avgDurationMs)} ms on average · cache hits ${Math.round(s.cacheHitRate * 100)}%`),
      rows, pages);
  }

  async function show(id) {
    const r = (await get(`/admin/request-details/${encodeURIComponent(id)}`)).data.record;
    const lines = [['Request', r.requestId], ['Time', fmt.date(r.timestamp)], ['Endpoint', `${r.method} ${r.endpoint}${r.stream ? ' (stream)' : ''}`],
      ['Key', r.apiKeyName || r.apiKeyId], ['Account', `${r.accountName || r.accountId} (${r.accountType})`], ['Model', r.model],
      ['Tokens', `${fmt.int(r.inputTokens)} in · ${fmt.int(r.outputTokens)} out · ${fmt.int(r.cacheCreateTokens)} cache write · ${fmt.int(r.cacheReadTokens)} cache read`],
      ['Cost', r.cost == null ? 'unpriced' : fmt.cost(r.cost)], ['Duration', `${fmt.int(r.durationMs)} ms`]];
    await dialog(`Request ${r.requestId.slice(0, 8)}`, h('div', { 'data-request-record': '' },
      h('table', h('tbody', lines.map(([k, v]) => h('tr', h('th', k), h('td', v))))),
      r.requestBodySnapshot ? [h('h2', 'Body preview'), h('pre', { 'data-body-preview': '', style: 'max-height:320px;overflow:auto;white-space:pre-wrap' },
        JSON.stringify(r.requestBodySnapshot, null, 2))] : h('p.muted', 'No body preview kept for this request')), [{ label: 'Close', primary: true }]);
  }

  await load();
}
