// Public key statistics: the key's owner enters the key and sees its usage, limits and current window (no admin
// login; the relay answers only about that one key).
import { h, mount, fmt, meter } from '../ui.js';
import { post } from '../api.js';

export const title = 'API key usage';
export const isPublic = true;

export async function render(container) {
  const result = h('div#stats-result');
  const error = h('p.error-text', { role: 'alert' });
  const keyInput = h('input', { type: 'password', name: 'apiKey', id: 'stats-key', placeholder: 'cr_…', autocomplete: 'off', style: 'flex:1;min-width:280px', required: true });
  const form = h('form.toolbar', { onsubmit: async (e) => {
    e.preventDefault();
    error.textContent = '';
    try {
      const id = (await post('/apiStats/api/get-key-id', { apiKey: keyInput.value.trim() }, { public: true })).data.id;
      history.replaceState(null, '', '?apiId=' + id);
      await show(id);
    } catch (failure) { mount(result); error.textContent = failure.message; }
  } }, keyInput, h('button.primary', { type: 'submit', id: 'stats-submit' }, 'Show usage'));
  mount(container, h('h1', 'API key usage'), h('div.panel', h('p.muted', 'Enter your API key to see its usage and limits. The key is only sent to this relay.'), form, error), result);

  async function show(id) {
    const [stats, daily, monthly] = await Promise.all([
      post('/apiStats/api/user-stats', { apiId: id }, { public: true }),
      post('/apiStats/api/user-model-stats', { apiId: id, period: 'daily' }, { public: true }),
      post('/apiStats/api/user-model-stats', { apiId: id, period: 'monthly' }, { public: true }),
    ]);
    const s = stats.data, l = s.limits, u = s.usage;
    const card = (label, usage, id) => h('div.card', { 'data-card': id }, h('div.label', label), h('div.value', fmt.int(usage.requests) + ' req'),
      h('div.sub', `${fmt.tokens(usage.allTokens)} tokens · ${usage.formattedCost}`));
    const models = (list) => list.length ? h('table', h('thead', h('tr', ['Model', 'Requests', 'Tokens', 'Cost'].map((t) => h('th', t)))),
      h('tbody', list.map((m) => h('tr', h('td', m.model), h('td', fmt.int(m.requests)), h('td', fmt.tokens(m.allTokens)), h('td', m.formatted.total))))) : h('p.muted', 'No usage');
    mount(result,
      h('div.panel', h('h2', s.name), h('p.muted', `${s.isActive ? 'Active' : 'Disabled'} · services: ${Array.isArray(s.permissions) ? s.permissions.join(', ') : s.permissions} · `
        + (s.expiresAt ? 'expires ' + fmt.date(s.expiresAt) : s.expirationMode === 'activation' && !s.isActivated ? `valid ${s.activationDays} ${s.activationUnit} from first use` : 'never expires'))),
      h('div.cards', card('Today', u.daily, 'today'), card('This month', u.monthly, 'month'), card('All time', u.total, 'total')),
      h('div.panel#stats-limits', h('h2', 'Limits'), h('div.form-grid',
        meter(+l.currentDailyCost.toFixed(4), l.dailyCostLimit, 'Daily cost $'), meter(+l.currentTotalCost.toFixed(4), l.totalCostLimit, 'Total cost $'),
        meter(+l.weeklyOpusCost.toFixed(4), l.weeklyOpusCostLimit, 'Opus this week $'),
        meter(l.currentWindowRequests, l.rateLimitRequests, `Requests per ${l.rateLimitWindow || 0} min`),
        meter(+l.currentWindowCost.toFixed(4), l.rateLimitCost, `Cost per ${l.rateLimitWindow || 0} min $`),
        h('div.meter', h('div.text', l.concurrencyLimit ? `Concurrency ≤ ${l.concurrencyLimit}` : 'Concurrency: no limit')),
        h('div.meter', h('div.text', l.windowRemainingSeconds != null ? `Window resets in ${fmt.duration(l.windowRemainingSeconds)}` : 'No window open')))),
      h('div.grid2', h('div.panel', h('h2', 'Today by model'), models(daily.data)), h('div.panel', h('h2', 'This month by model'), models(monthly.data))));
  }

  const id = new URLSearchParams(location.search).get('apiId');
  if (id) { try { await show(id); } catch (failure) { error.textContent = failure.message; } }
}
