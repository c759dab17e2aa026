// Model pricing: the prices in force and where they come from (built in, a LiteLLM-format file or URL), when they
// were loaded and the last refresh error, a refresh from the configured URL, the models traffic used that have no
// price (their cost is unknown, never $0), and every priced model searchable with its USD per million tokens.
import { h, mount, fmt, toast, debounce } from '../ui.js';
import { get, post, qs } from '../api.js';

export const title = 'Pricing';

export async function render(container) {
  const statusPanel = h('div.panel#pricing-status');
  const unpricedPanel = h('div.panel#pricing-unpriced');
  const search = h('input', { type: 'search', placeholder: 'Search models…', 'aria-label': 'Search models', id: 'pricing-search' });
  const table = h('div.panel#pricing-models');
  const state = { search: '', page: 1, pageSize: 50 };
  search.addEventListener('input', debounce(() => { state.search = search.value.trim(); state.page = 1; drawModels(); }, 250));
  mount(container, h('h1', 'Pricing'), statusPanel, unpricedPanel, h('div.toolbar', search), table);
  await Promise.all([drawStatus(), drawModels()]);

  async function drawStatus() {
    const d = (await get('/admin/pricing')).data;
    const refresh = d.refreshURLConfigured ? h('button', { type: 'button', id: 'pricing-refresh', onclick: async () => {
      try { const r = await post('/admin/pricing/refresh'); toast(`Prices refreshed: ${fmt.int(r.data.models)} models`); drawStatus(); drawModels(); }
      catch (error) { toast(error.message, true); drawStatus(); }
    } }, 'Refresh now') : h('span.muted', 'Set CRS_PRICING_URL to refresh prices automatically');
    mount(statusPanel, h('h2', 'Prices in force'),
      h('p', { 'data-pricing-source': true }, `${fmt.int(d.models)} models from ${d.source}, loaded ${fmt.date(d.loadedAt)}`),
      d.lastError ? h('p.muted', { 'data-pricing-error': true }, 'Last refresh failed: ' + d.lastError) : null,
      h('div.toolbar', refresh));
    mount(unpricedPanel, h('h2', 'Models without a price'),
      d.unpricedModels.length
        ? [h('p.muted', 'Their tokens are recorded; their cost is unknown (shown as unpriced, never $0) until a price file names them.'),
           h('ul', { 'data-unpriced': true }, d.unpricedModels.map((m) => h('li', h('code', m))))]
        : h('p.muted', 'Every model traffic has used has a price.'));
  }

  async function drawModels() {
    const d = (await get('/admin/pricing/models' + qs(state))).data;
    const money = (n) => '$' + Number(n || 0).toFixed(n && n < 0.1 ? 4 : 2);
    const pages = Math.max(1, Math.ceil(d.total / d.pageSize));
    mount(table, d.models.length ? [h('table',
      h('thead', h('tr', ['Model', 'Input', 'Output', 'Cache write 5m', 'Cache write 1h', 'Cache read', 'Long context'].map((t) => h('th', t)))),
      h('tbody', d.models.map((m) => {
        const p = m.usdPerMillionTokens;
        return h('tr', { 'data-model': m.model }, h('td', h('code', m.model)), h('td', money(p.input)), h('td', money(p.output)),
          h('td', money(p.cacheWrite5m)), h('td', money(p.cacheWrite1h)), h('td', money(p.cacheRead)),
          h('td', p.longContext ? `> ${fmt.tokens(p.longContext.aboveTokens)}: ${money(p.longContext.input)} / ${money(p.longContext.output)}` : '—'));
      }))),
      h('div.toolbar', h('span.muted', `USD per million tokens · ${fmt.int(d.total)} models · page ${d.page} of ${pages}`), h('div.spacer'),
        h('button.small', { type: 'button', disabled: d.page <= 1, onclick: () => { state.page -= 1; drawModels(); } }, '‹ Prev'),
        h('button.small', { type: 'button', disabled: d.page >= pages, onclick: () => { state.page += 1; drawModels(); } }, 'Next ›'))]
      : h('div.empty', 'No model matches'));
  }
}
