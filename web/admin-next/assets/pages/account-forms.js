// Per-type account forms: what each provider needs (endpoint + secret, AWS keys, Azure deployment) and the OAuth
// flows (open the provider's page, paste the code or the callback URL back; the relay exchanges it).
import { h, field, dialog, toast } from '../ui.js';
import { post, put } from '../api.js';

export const TYPES = [
  { id: 'claude-oauth', label: 'Claude (OAuth)', path: 'claude-accounts', oauth: true },
  { id: 'claude-token', label: 'Claude (paste OAuth token)', path: 'claude-accounts' },
  { id: 'claude-console', label: 'Claude Console', path: 'claude-console-accounts' },
  { id: 'ccr', label: 'CCR (Claude Code Router)', path: 'ccr-accounts' },
  { id: 'bedrock', label: 'AWS Bedrock', path: 'bedrock-accounts' },
  { id: 'gemini-oauth', label: 'Gemini (Google OAuth)', path: 'gemini-accounts', oauth: true },
  { id: 'gemini-api', label: 'Gemini API key', path: 'gemini-api-accounts' },
  { id: 'openai-oauth', label: 'OpenAI Codex (ChatGPT OAuth)', path: 'openai-accounts', oauth: true },
  { id: 'openai-responses', label: 'OpenAI Responses (API key)', path: 'openai-responses-accounts' },
  { id: 'azure', label: 'Azure OpenAI', path: 'azure-openai-accounts' },
];

const input = (name, attrs = {}) => h('input', { name, ...attrs });
const secret = (name, editing) => input(name, { type: 'password', autocomplete: 'off', placeholder: editing ? 'unchanged unless entered' : '', required: !editing });

/** The fields of one type (edit: `account` given, secrets optional). */
function typeFields(type, account) {
  const a = account || {};
  const editing = !!account;
  switch (type) {
    case 'claude-console':
    case 'ccr':
      return [field('API URL', input('apiUrl', { value: a.apiUrl || '', required: true, placeholder: 'https://…' })), field('API key', secret('apiKey', editing)),
        field('Models (one per line; empty = all)', h('textarea', { name: 'supportedModels' }, listOf(a.supportedModels).join('\n'))),
        field('User-Agent (optional)', input('userAgent', { value: a.userAgent || '' })),
        field('Rate-limit rest (minutes)', input('rateLimitDuration', { type: 'number', min: 0, value: a.rateLimitDuration ?? 60 })),
        field('Daily quota ($, 0 = none)', input('dailyQuota', { type: 'number', min: 0, step: '0.01', value: a.dailyQuota ?? 0 }))];
    case 'claude-token':
      return [field('Access token', secret('accessToken', editing)), field('Refresh token (optional)', secret('refreshToken', true))];
    case 'bedrock':
      return [field('Access key id', secret('accessKeyId', editing)), field('Secret access key', secret('secretAccessKey', editing)),
        field('Session token (optional)', secret('sessionToken', true)), field('Region', input('region', { value: a.region || 'us-east-1' })),
        field('Default model (optional)', input('defaultModel', { value: a.defaultModel || '' }))];
    case 'gemini-api':
      return [field('API key', secret('apiKey', editing)), field('Base URL (optional)', input('baseUrl', { value: a.baseUrl || '' }))];
    case 'openai-responses':
      return [field('Base API URL', input('baseApi', { value: a.baseApi || '', required: true, placeholder: 'https://api.openai.com' })),
        field('API key', secret('apiKey', editing)), field('User-Agent (optional)', input('userAgent', { value: a.userAgent || '' }))];
    case 'azure':
      return [field('Endpoint', input('azureEndpoint', { value: a.azureEndpoint || '', required: true, placeholder: 'https://NAME.openai.azure.com' })),
        field('API key', secret('apiKey', editing)), field('Deployment', input('deploymentName', { value: a.deploymentName || '' })),
        field('API version', input('apiVersion', { value: a.apiVersion || '' })),
        field('Models (one per line)', h('textarea', { name: 'supportedModels' }, listOf(a.supportedModels).join('\n')))];
    default:
      return [];
  }
}

function listOf(value) {
  if (Array.isArray(value)) return value;
  if (value && typeof value === 'object') return Object.keys(value);
  return [];
}

/** The request body for a type from the form's values (secrets left out when not re-entered). */
function bodyOf(type, v) {
  const body = { name: v.name, description: v.description, priority: Number(v.priority || 50), accountType: v.accountType };
  const keep = (name, value = v[name]) => { if (value !== undefined && value !== '') body[name] = value; };
  switch (type) {
    case 'claude-console': case 'ccr':
      keep('apiUrl'); keep('apiKey'); keep('userAgent', v.userAgent ?? '');
      body.supportedModels = (v.supportedModels || '').split('\n').map((m) => m.trim()).filter(Boolean);
      body.rateLimitDuration = Number(v.rateLimitDuration || 0);
      body.dailyQuota = Number(v.dailyQuota || 0);
      break;
    case 'claude-token':
      if (v.accessToken) body.claudeAiOauth = { accessToken: v.accessToken, refreshToken: v.refreshToken || '', expiresAt: Date.now() + 365 * 86400e3, scopes: [] };
      break;
    case 'bedrock':
      if (v.accessKeyId || v.secretAccessKey) body.awsCredentials = { accessKeyId: v.accessKeyId, secretAccessKey: v.secretAccessKey, sessionToken: v.sessionToken || undefined };
      keep('region'); keep('defaultModel');
      break;
    case 'gemini-api': keep('apiKey'); keep('baseUrl'); break;
    case 'openai-responses': keep('baseApi'); keep('apiKey'); keep('userAgent'); break;
    case 'azure':
      keep('azureEndpoint'); keep('apiKey'); keep('deploymentName'); keep('apiVersion');
      body.supportedModels = (v.supportedModels || '').split('\n').map((m) => m.trim()).filter(Boolean);
      break;
  }
  return body;
}

function common(a = {}) {
  return [field('Name', input('name', { value: a.name || '', required: true, maxLength: 100, id: 'account-name' })),
    field('Description', input('description', { value: a.description || '' })),
    field('Priority (1 = first)', input('priority', { type: 'number', min: 1, max: 100, value: a.priority ?? 50 })),
    field('Type', h('select', { name: 'accountType' }, ['shared', 'dedicated'].map((t) => h('option', { value: t, selected: a.accountType === t }, t))))];
}

const values = (form) => Object.fromEntries([...form.querySelectorAll('[name]')].map((el) => [el.name, el.value]));

/** Create dialog: pick a type, fill its form (or run its OAuth flow). Resolves true when an account was created. */
export async function createAccountDialog() {
  const typeSelect = h('select', { id: 'account-type', name: '_type' }, TYPES.map((t) => h('option', { value: t.id }, t.label)));
  const specific = h('div.form-grid');
  const oauthBox = h('div');
  const form = h('form', { id: 'account-form', onsubmit: (e) => e.preventDefault() }, h('div.form-grid', field('Account type', typeSelect)), h('div.form-grid', common()), specific, oauthBox);
  let session = null;
  const sync = () => {
    const type = TYPES.find((t) => t.id === typeSelect.value);
    specific.replaceChildren(...typeFields(type.id));
    session = null;
    oauthBox.replaceChildren();
    if (type.oauth) {
      const codeInput = input('code', { placeholder: 'authorization code, code#state, or the whole callback URL', style: 'width:100%' });
      const link = h('div.muted', 'Generate a link, open it, approve, then paste the code here.');
      oauthBox.append(h('fieldset', h('legend', 'Authorization'),
        h('button', { type: 'button', 'data-action': 'generate-auth-url', onclick: async () => {
          try {
            const reply = await post(`/admin/${type.path}/generate-auth-url`, {});
            session = reply.data.sessionId;
            link.replaceChildren(h('a', { href: reply.data.authUrl, target: '_blank', rel: 'noopener noreferrer', id: 'auth-url' }, 'Open the authorization page'));
          } catch (error) { toast(error.message, true); }
        } }, 'Generate authorization link'), link, field('Code', codeInput)));
    }
  };
  typeSelect.addEventListener('change', sync);
  sync();
  return dialog('Add account', form, [{ label: 'Cancel' }, { label: 'Create', id: 'save-account', primary: true, run: async (close) => {
    if (!form.reportValidity()) return;
    const type = TYPES.find((t) => t.id === typeSelect.value);
    const v = values(form);
    try {
      if (type.oauth) {
        if (!session || !v.code) return toast('Generate the link and paste the code first', true);
        await post(`/admin/${type.path}/exchange-code`, { ...bodyOf(type.id, v), sessionId: session, authorizationCode: v.code.trim() });
      } else {
        await post(`/admin/${type.path}`, bodyOf(type.id, v));
      }
      toast('Account created');
      close(true);
    } catch (error) { toast(error.message, true); }
  } }]);
}

/** Edit dialog of one account (its list's admin path says its type). */
export async function editAccountDialog(account, path) {
  const type = { 'claude-accounts': 'claude-token', 'claude-console-accounts': 'claude-console', 'ccr-accounts': 'ccr', 'bedrock-accounts': 'bedrock',
    'gemini-api-accounts': 'gemini-api', 'openai-responses-accounts': 'openai-responses', 'azure-openai-accounts': 'azure' }[path] || 'oauth';
  const form = h('form', { onsubmit: (e) => e.preventDefault() }, h('div.form-grid', common(account)), h('div.form-grid', typeFields(type, account)));
  return dialog(`Edit ${account.name}`, form, [{ label: 'Cancel' }, { label: 'Save', primary: true, run: async (close) => {
    if (!form.reportValidity()) return;
    try {
      await put(`/admin/${path}/${account.id}`, bodyOf(type, values(form)));
      toast('Saved');
      close(true);
    } catch (error) { toast(error.message, true); }
  } }]);
}
