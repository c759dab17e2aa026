// Settings: branding (site name, icon URL or uploaded icon, admin button), the relay-wide Claude switches (Claude Code
// only, global session binding) and alert webhooks (platforms, alert types, test delivery).
import { h, mount, field, toast, dialog, confirmAction, badge } from '../ui.js';
import { get, post, put, del } from '../api.js';
import { branding } from '../app.js';

export const title = 'Settings';

const WEBHOOK_TYPES = [['custom', 'Custom JSON'], ['slack', 'Slack'], ['discord', 'Discord'], ['wechat_work', 'WeCom'], ['dingtalk', 'DingTalk'],
  ['feishu', 'Feishu'], ['telegram', 'Telegram'], ['bark', 'Bark']];
const DEFAULTS = { siteName: 'Claude Relay Service', siteIcon: '', siteIconData: '', showAdminButton: true };

export async function render(container) {
  const oemPanel = h('div.panel#oem-settings');
  const claudePanel = h('div.panel#claude-relay-settings');
  const hooksPanel = h('div.panel#webhook-settings');
  mount(container, h('h1', 'Settings'), oemPanel, claudePanel, hooksPanel);
  await Promise.all([drawOEM(), drawClaude(), drawHooks()]);

  async function drawClaude() {
    const c = (await get('/admin/claude-relay-config')).config;
    const only = h('input', { type: 'checkbox', id: 'claude-code-only', checked: !!c.claudeCodeOnlyEnabled });
    const binding = h('input', { type: 'checkbox', id: 'session-binding', checked: !!c.globalSessionBindingEnabled });
    const message = h('input', { id: 'session-binding-message', value: c.sessionBindingErrorMessage || '', maxLength: 500 });
    const ttl = h('input', { id: 'session-binding-ttl', type: 'number', min: 1, max: 365, step: 1, value: c.sessionBindingTtlDays ?? 1 });
    const queue = h('input', { type: 'checkbox', id: 'queue-enabled', checked: !!c.concurrentRequestQueueEnabled });
    const queueSize = h('input', { id: 'queue-size', type: 'number', min: 1, max: 100, step: 1, value: c.concurrentRequestQueueMaxSize ?? 3 });
    const queueMultiplier = h('input', { id: 'queue-multiplier', type: 'number', min: 0, max: 10, step: 0.5, value: c.concurrentRequestQueueMaxSizeMultiplier ?? 0 });
    const queueTimeout = h('input', { id: 'queue-timeout', type: 'number', min: 5, max: 300, step: 1, value: Math.round((c.concurrentRequestQueueTimeoutMs ?? 10000) / 1000) });
    const queueHealth = h('input', { type: 'checkbox', id: 'queue-health', checked: c.concurrentRequestQueueHealthCheckEnabled !== false });
    const queueThreshold = h('input', { id: 'queue-health-threshold', type: 'number', min: 0.1, max: 1, step: 0.05, value: c.concurrentRequestQueueHealthThreshold ?? 0.8 });
    const userQueue = h('input', { type: 'checkbox', id: 'user-queue-enabled', checked: !!c.userMessageQueueEnabled });
    const userQueueDelay = h('input', { id: 'user-queue-delay', type: 'number', min: 0, max: 10000, step: 50, value: c.userMessageQueueDelayMs ?? 200 });
    const userQueueTimeout = h('input', { id: 'user-queue-timeout', type: 'number', min: 1, max: 300, step: 1, value: Math.round((c.userMessageQueueTimeoutMs ?? 60000) / 1000) });
    const capture = h('input', { type: 'checkbox', id: 'detail-capture', checked: !!c.requestDetailCaptureEnabled });
    const retention = h('input', { id: 'detail-retention', type: 'number', min: 1, max: 720, step: 1, value: c.requestDetailRetentionHours ?? 6 });
    const preview = h('input', { type: 'checkbox', id: 'detail-preview', checked: !!c.requestDetailBodyPreviewEnabled });
    const save = async () => {
      try {
        await put('/admin/claude-relay-config', {
          requestDetailCaptureEnabled: capture.checked, requestDetailRetentionHours: Number(retention.value), requestDetailBodyPreviewEnabled: preview.checked, claudeCodeOnlyEnabled: only.checked, globalSessionBindingEnabled: binding.checked,
          sessionBindingErrorMessage: message.value, sessionBindingTtlDays: Number(ttl.value),
          concurrentRequestQueueEnabled: queue.checked, concurrentRequestQueueMaxSize: Number(queueSize.value),
          concurrentRequestQueueMaxSizeMultiplier: Number(queueMultiplier.value), concurrentRequestQueueTimeoutMs: Number(queueTimeout.value) * 1000,
          concurrentRequestQueueHealthCheckEnabled: queueHealth.checked, concurrentRequestQueueHealthThreshold: Number(queueThreshold.value),
          userMessageQueueEnabled: userQueue.checked, userMessageQueueDelayMs: Number(userQueueDelay.value),
          userMessageQueueTimeoutMs: Number(userQueueTimeout.value) * 1000 });
        toast('Claude settings saved');
        drawClaude();
      } catch (error) { toast(error.message, true); }
    };
    mount(claudePanel, h('h2', 'Claude relay'),
      h('div', h('label.check', only, 'Claude Code only: the Claude routes refuse every other client (403)')),
      h('div', h('label.check', binding, 'Global session binding: a Claude Code session stays on the subscription account that first served it')),
      h('div.form-grid', field('Message for a session whose account is gone', message), field('Binding lifetime (days)', ttl)),
      h('h2', 'Concurrency queue'),
      h('div', h('label.check', queue, 'Queue instead of refusing: a request over its key\'s concurrency limit waits for a slot')),
      h('div.form-grid', field('Waiting requests per key (at least)', queueSize), field('… or this many times the key\'s limit', queueMultiplier),
        field('Longest wait (seconds)', queueTimeout)),
      h('div', h('label.check', queueHealth, 'Refuse newcomers at once while waits run close to the timeout (90th percentile, queue over half full)')),
      h('div.form-grid', field('… at this share of the timeout', queueThreshold)),
      h('div', h('label.check', userQueue, 'User-message queue: on subscription accounts, new user turns go out one at a time')),
      h('div.form-grid', field('Pause between turns (ms)', userQueueDelay), field('Longest wait for a turn (seconds)', userQueueTimeout)),
      h('h2', 'Request details'),
      h('div', h('label.check', capture, 'Keep each request (key, account, model, tokens, cost, duration) for the Requests page')),
      h('div', h('label.check', preview, 'Also keep a preview of each request body (strings cut to 80 characters, secrets masked)')),
      h('div.form-grid', field('Keep for (hours, at most 720)', retention)),
      h('div.toolbar', { style: 'margin-top:12px' }, h('button.primary', { type: 'button', id: 'save-claude-relay', onclick: save }, 'Save'),
        h('span.muted', c.updatedAt ? 'Saved ' + new Date(c.updatedAt).toLocaleString() + (c.updatedBy ? ' by ' + c.updatedBy : '') : '')));
  }

  async function drawOEM() {
    const s = (await get('/admin/oem-settings')).data;
    let iconData = s.siteIconData || '';
    const preview = h('img', { src: iconData || s.siteIcon || '/admin-next/favicon.svg', alt: '', style: 'width:32px;height:32px' });
    const name = h('input', { name: 'siteName', value: s.siteName, maxLength: 100, required: true, id: 'oem-site-name' });
    const icon = h('input', { name: 'siteIcon', value: s.siteIcon || '', placeholder: 'https://… (optional)' });
    const showAdmin = h('input', { type: 'checkbox', checked: s.showAdminButton !== false });
    const upload = h('input', { type: 'file', accept: '.ico,.png,.jpg,.jpeg,.svg', onchange: () => {
      const file = upload.files[0];
      if (!file) return;
      if (file.size > 350 * 1024) return toast('The icon must be at most 350 KB', true);
      const reader = new FileReader();
      reader.onload = () => { iconData = reader.result; preview.src = iconData; };
      reader.readAsDataURL(file);
    } });
    const save = async (body) => {
      try {
        const reply = await put('/admin/oem-settings', body);
        Object.assign(branding, reply.data);
        document.getElementById('site-name').textContent = reply.data.siteName;
        toast('Branding saved');
        drawOEM();
      } catch (error) { toast(error.message, true); }
    };
    mount(oemPanel, h('h2', 'Branding'), h('div.form-grid', field('Site name', name), field('Icon URL', icon),
      field('Or upload an icon (≤ 350 KB)', upload), h('div', preview, h('button.small', { type: 'button', onclick: () => { iconData = ''; preview.src = icon.value || '/admin-next/favicon.svg'; } }, 'Remove uploaded'))),
    h('label.check', showAdmin, 'Show the admin login button on the public stats page'),
    h('div.toolbar', { style: 'margin-top:12px' },
      h('button.primary', { type: 'button', id: 'save-oem', onclick: () => save({ siteName: name.value, siteIcon: icon.value, siteIconData: iconData, showAdminButton: showAdmin.checked }) }, 'Save'),
      h('button', { type: 'button', onclick: async () => { if (await confirmAction('Reset branding', 'Back to the defaults?', 'Reset')) save({ ...DEFAULTS, updatedAt: null }); } }, 'Reset to defaults'),
      h('span.muted', s.updatedAt ? 'Saved ' + new Date(s.updatedAt).toLocaleString() : '')));
  }

  async function drawHooks() {
    const config = (await get('/admin/webhook/config')).config;
    const types = config.notificationTypes || {};
    mount(hooksPanel, h('h2', 'Alert webhooks'),
      h('p.muted', 'Account errors, token refresh failures and limits reached are sent to every enabled platform.'),
      h('label.check', h('input', { type: 'checkbox', checked: !!config.enabled, id: 'webhooks-enabled',
        onchange: async (e) => { await post('/admin/webhook/config', { enabled: e.target.checked }); toast(e.target.checked ? 'Webhooks on' : 'Webhooks off'); } }), 'Send alerts'),
      h('div', { style: 'margin:8px 0' }, Object.keys(types).map((t) => h('label.check', { style: 'margin-right:12px' },
        h('input', { type: 'checkbox', checked: types[t] !== false, onchange: async (e) => { await post('/admin/webhook/config', { notificationTypes: { ...types, [t]: e.target.checked } }); drawHooks(); } }), t))),
      config.platforms.length ? h('table', h('thead', h('tr', ['Name', 'Type', 'Target', 'State', ''].map((t) => h('th', t)))),
        h('tbody', config.platforms.map((p) => h('tr', h('td', p.name || '—'), h('td', p.type), h('td.mono', p.url || p.chatId || p.deviceKey || ''),
          h('td', p.enabled ? badge('on', 'ok') : badge('off', 'off')),
          h('td', h('button.small', { type: 'button', onclick: async () => { const r = await post('/admin/webhook/test', { id: p.id }); toast(r.message || 'Sent'); } }, 'Test'), ' ',
            h('button.small', { type: 'button', onclick: async () => { await post(`/admin/webhook/platforms/${p.id}/toggle`); drawHooks(); } }, p.enabled ? 'Disable' : 'Enable'), ' ',
            h('button.small.danger', { type: 'button', onclick: async () => { if (await confirmAction('Remove', `Remove ${p.name || p.type}?`, 'Remove')) { await del(`/admin/webhook/platforms/${p.id}`); drawHooks(); } } }, 'Remove')))))) : h('p.muted', 'No platforms yet'),
      h('div.toolbar', { style: 'margin-top:12px' }, h('button', { type: 'button', onclick: addPlatform }, '+ Add platform'),
        h('button', { type: 'button', onclick: async () => { try { const r = await post('/admin/webhook/test-notification'); toast(r.message || 'Test alert sent'); } catch (e) { toast(e.message, true); } } }, 'Send a test alert')));
  }

  async function addPlatform() {
    const type = h('select', { name: 'type' }, WEBHOOK_TYPES.map(([v, t]) => h('option', { value: v }, t)));
    const extra = h('div.form-grid');
    const sync = () => {
      const v = type.value;
      extra.replaceChildren(...(v === 'telegram' ? [field('Bot token', h('input', { name: 'botToken', type: 'password' })), field('Chat id', h('input', { name: 'chatId' }))]
        : v === 'bark' ? [field('Device key', h('input', { name: 'deviceKey', type: 'password' })), field('Server (optional)', h('input', { name: 'serverUrl' }))]
          : [field('Webhook URL', h('input', { name: 'url', required: true, placeholder: 'https://…' })), v === 'dingtalk' || v === 'feishu' ? field('Signing secret (optional)', h('input', { name: 'secret', type: 'password' })) : null].filter(Boolean)));
    };
    type.addEventListener('change', sync);
    sync();
    const form = h('form', { onsubmit: (e) => e.preventDefault() }, h('div.form-grid', field('Type', type), field('Name', h('input', { name: 'name' }))), extra);
    await dialog('Add webhook platform', form, [{ label: 'Cancel' }, { label: 'Add', primary: true, run: async (close) => {
      if (!form.reportValidity()) return;
      const body = Object.fromEntries([...form.querySelectorAll('[name]')].filter((el) => el.value !== '').map((el) => [el.name, el.value]));
      try { await post('/admin/webhook/platforms', body); close(true); drawHooks(); } catch (error) { toast(error.message, true); }
    } }]);
  }
}
