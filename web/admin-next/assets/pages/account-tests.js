// Account tests of a Claude subscription account, as Node offers them: test now (a tiny real request through the
// account), a cron schedule with its model, and the last five results.
import { h, mount, fmt, dialog, toast, field } from '../ui.js';
import { get, post, put } from '../api.js';

export async function accountTestsDialog(a) {
  const base = `/admin/claude-accounts/${a.id}`;
  const body = h('div', { 'data-account-tests': '' }, 'Loading…');
  const open = dialog(`Tests — ${a.name}`, body, [{ label: 'Close', primary: true }]);
  const historyBox = h('div');
  const drawHistory = async () => {
    const rows = (await get(`${base}/test-history`)).data.history;
    mount(historyBox, rows.length ? h('table', { 'data-test-history': '' }, h('tbody', rows.map((r) => h('tr', { 'data-test-result': r.success ? 'ok' : 'failed' },
      h('td', fmt.date(r.timestamp)), h('td', r.success ? 'ok' : 'failed' + (r.statusCode ? ` (HTTP ${r.statusCode})` : '')),
      h('td', r.latencyMs != null ? r.latencyMs + ' ms' : ''), h('td', r.model || ''), h('td.muted', r.success ? r.message : r.error))))) : h('p.muted', 'No tests yet'));
  };
  const config = (await get(`${base}/test-config`)).data.config;
  const enabled = h('select', { id: 'test-enabled' }, [['false', 'off'], ['true', 'on']].map(([value, label]) =>
    h('option', { value, selected: String(config.enabled) === value }, label)));
  const cron = h('input', { id: 'test-cron', value: config.cronExpression, placeholder: '0 8 * * *' });
  const model = h('input', { id: 'test-model', value: config.model });
  const save = h('button', { type: 'button', 'data-action': 'save-test-config', onclick: async () => {
    try {
      await put(`${base}/test-config`, { enabled: enabled.value === 'true', cronExpression: cron.value.trim(), model: model.value.trim() });
      toast('Schedule saved');
    } catch (error) { toast(error.message, true); }
  } }, 'Save schedule');
  const runNow = h('button', { type: 'button', 'data-action': 'run-test', onclick: async () => {
    runNow.disabled = true;
    try {
      const r = (await post(`${base}/test-sync`)).data.result;
      toast(r.success ? `Test passed in ${r.latencyMs} ms` : `Test failed: ${r.error}`, !r.success);
      await drawHistory();
    } catch (error) { toast(error.message, true); } finally { runNow.disabled = false; }
  } }, 'Test now');
  mount(body,
    h('p.muted', 'A test sends a one-word request through the account (a few tokens, billed to the account only).'),
    h('div.form-grid', field('Scheduled', enabled), field('When (cron: minute hour day month weekday, relay timezone)', cron), field('Model', model)),
    h('div', save, ' ', runNow),
    h('h2', 'Last results'), historyBox);
  await drawHistory();
  await open;
}
