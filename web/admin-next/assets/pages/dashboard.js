// Dashboard: totals, real-time throughput, account health and daily quotas, and charts of usage over time, per model and per key.
import { h, mount, fmt, badge, meter } from '../ui.js';
import { get, qs } from '../api.js';
import { lineChart, barChart, donutChart, legend } from '../chart.js';

export const title = 'Dashboard';

const state = { days: 7, granularity: 'day', modelPeriod: 'daily', keyMetric: 'requests' };

function card(label, value, sub, id) {
  return h('div.card', { 'data-card': id }, h('div.label', label), h('div.value', value), sub ? h('div.sub', sub) : null);
}

export async function render(container) {
  const cards = h('div.cards#dashboard-cards');
  const trend = h('div.panel');
  const models = h('div.panel');
  const topKeys = h('div.panel');
  const accounts = h('div.panel');
  const controls = h('div.toolbar',
    h('select', { 'aria-label': 'Range', onchange: (e) => { const [g, d] = e.target.value.split(':'); state.granularity = g; state.days = Number(d); load(); } },
      h('option', { value: 'day:7', selected: state.granularity === 'day' && state.days === 7 }, 'Last 7 days'),
      h('option', { value: 'day:30', selected: state.days === 30 }, 'Last 30 days'),
      h('option', { value: 'hour:1', selected: state.granularity === 'hour' }, 'Last 24 hours')),
    h('button', { type: 'button', 'data-action': 'refresh', onclick: () => load() }, 'Refresh'));
  mount(container, h('h1', 'Dashboard'), controls, cards, h('div.grid2', trend, models), h('div.grid2', topKeys, accounts));

  async function load() {
    const axis = state.granularity === 'hour'
      ? { granularity: 'hour', startDate: new Date(Date.now() - 23 * 3600e3).toISOString(), endDate: new Date().toISOString() }
      : { granularity: 'day', days: state.days };
    const [dash, today, all, usage, modelStats, keyTrend] = await Promise.all([
      get('/admin/dashboard'), get('/admin/usage-costs?period=today'), get('/admin/usage-costs?period=all'),
      get('/admin/usage-trend' + qs(axis)), get('/admin/model-stats?period=' + state.modelPeriod),
      get('/admin/api-keys-usage-trend' + qs({ ...axis, metric: state.keyMetric })),
    ]);
    const d = dash.data, o = d.overview, r = d.recentActivity, rt = d.realtimeMetrics;
    mount(cards,
      card('API keys', fmt.int(o.totalApiKeys), `${fmt.int(o.activeApiKeys)} active`, 'keys'),
      card('Accounts', fmt.int(o.totalAccounts), `${o.normalAccounts} ok · ${o.rateLimitedAccounts} limited · ${o.abnormalAccounts} failing`, 'accounts'),
      card('Requests today', fmt.int(r.requestsToday), `${fmt.int(o.totalRequestsUsed)} all time`, 'requests'),
      card('Tokens today', fmt.tokens(r.tokensToday), `${fmt.tokens(r.inputTokensToday)} in · ${fmt.tokens(r.outputTokensToday)} out`, 'tokens'),
      card('Cost today', (today.data.totalCosts.formatted || {}).totalCost || fmt.cost(r.costToday), `${(all.data.totalCosts.formatted || {}).totalCost || ''} all time`, 'cost'),
      card('Real time', `${rt.rpm.toFixed(1)} RPM`, `${fmt.tokens(rt.tpm)} TPM over ${rt.windowMinutes} min`, 'realtime'),
      card('System', d.systemHealth.redisConnected ? 'Healthy' : 'Redis down', `up ${fmt.duration(d.systemHealth.uptime)} · UTC${d.systemTimezone >= 0 ? '+' : ''}${d.systemTimezone}`, 'system'));

    const labels = usage.data.map((p) => p.label);
    mount(trend, h('h2', 'Usage over time'),
      legend(['Requests', 'Tokens (K)', 'Cost (¢)']),
      lineChart(labels, [
        { name: 'Requests', values: usage.data.map((p) => p.requests) },
        { name: 'Tokens (K)', values: usage.data.map((p) => p.allTokens / 1000) },
        { name: 'Cost (¢)', values: usage.data.map((p) => p.cost * 100) },
      ]));

    const modelItems = modelStats.data.map((m) => ({ label: m.model, value: m.allTokens }));
    mount(models, h('div.toolbar', h('h2', { style: 'margin:0' }, 'Tokens by model'), h('div.spacer'),
      h('select', { 'aria-label': 'Model period', onchange: (e) => { state.modelPeriod = e.target.value; load(); } },
        h('option', { value: 'daily', selected: state.modelPeriod === 'daily' }, 'Today'),
        h('option', { value: 'monthly', selected: state.modelPeriod === 'monthly' }, 'This month'))),
      modelItems.length
        ? h('div', { style: 'display:flex;gap:16px;align-items:center;flex-wrap:wrap' }, donutChart(modelItems),
          h('table', h('tbody', modelStats.data.map((m) => h('tr', h('td', m.model), h('td', fmt.tokens(m.allTokens)), h('td', m.formatted.total))))))
        : h('div.empty', 'No traffic in this period'));

    const totals = {};
    for (const point of keyTrend.data) for (const [id, u] of Object.entries(point.apiKeys || {})) {
      totals[id] = totals[id] || { label: u.name, value: 0 };
      totals[id].value += state.keyMetric === 'cost' ? u.cost : u.requests;
    }
    const keyItems = keyTrend.topApiKeys.map((id) => totals[id]).filter(Boolean);
    mount(topKeys, h('div.toolbar', h('h2', { style: 'margin:0' }, 'Top API keys'), h('div.spacer'),
      h('select', { 'aria-label': 'Key metric', onchange: (e) => { state.keyMetric = e.target.value; load(); } },
        h('option', { value: 'requests', selected: state.keyMetric === 'requests' }, 'Requests'),
        h('option', { value: 'cost', selected: state.keyMetric === 'cost' }, 'Cost'))),
      keyItems.length ? barChart(keyItems, { format: state.keyMetric === 'cost' ? fmt.cost : undefined }) : h('div.empty', 'No traffic in this period'));

    const platforms = Object.entries(o.accountsByPlatform || {});
    mount(accounts, h('h2', 'Account health'), platforms.length
      ? h('table', h('thead', h('tr', ['Type', 'Total', 'OK', 'Rate limited', 'Failing', 'Paused'].map((t) => h('th', t)))),
        h('tbody', platforms.map(([name, c]) => h('tr', h('td', name), h('td', c.total), h('td', badge(c.normal, 'ok')),
          h('td', c.rateLimited ? badge(c.rateLimited, 'warn') : 0), h('td', c.abnormal ? badge(c.abnormal, 'bad') : 0), h('td', c.paused || 0)))))
      : h('div.empty', 'No accounts yet'),
      (o.accountQuotas || []).length ? [h('h2', 'Daily quotas'), h('div', { 'data-quotas': true }, o.accountQuotas.map((q) =>
        h('div', meter(Number(q.used.toFixed(2)), q.dailyQuota, `${q.name} ($)`), q.exceeded ? h('div.muted', 'stopped until ' + fmt.date(q.resetAt)) : null)))] : null);
  }
  await load();
}
