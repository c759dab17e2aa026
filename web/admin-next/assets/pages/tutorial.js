// How to point Claude Code, Gemini CLI, Codex CLI and the Droid CLI at this relay, per operating system.
import { h, mount } from '../ui.js';

export const title = 'Tutorial';

export async function render(container) {
  const origin = location.origin;
  const systems = { unix: 'macOS / Linux (bash, zsh)', windows: 'Windows (PowerShell)' };
  let os = navigator.userAgent.includes('Windows') ? 'windows' : 'unix';
  const body = h('div');
  const tabs = h('div.tabs');
  const env = (name, value) => (os === 'windows' ? `$env:${name} = "${value}"` : `export ${name}="${value}"`);
  const code = (...lines) => h('pre.code', lines.join('\n'));
  function draw() {
    mount(tabs, Object.entries(systems).map(([id, label]) => h('button' + (os === id ? '.active' : ''), { type: 'button', onclick: () => { os = id; draw(); } }, label)));
    mount(body,
      h('div.panel', h('h2', '1. Get a key'), h('p', 'An administrator creates an API key (starting with ', h('code', 'cr_'), ') under API Keys and gives it to you once. ',
        'Check its usage and limits at any time on the ', h('a', { href: '/admin-next/api-stats', 'data-link': true }, 'key stats'), ' page.')),
      h('div.panel', h('h2', '2. Claude Code'), h('p', 'Install: ', h('code', 'npm install -g @anthropic-ai/claude-code')),
        code(env('ANTHROPIC_BASE_URL', `${origin}/api`), env('ANTHROPIC_AUTH_TOKEN', 'cr_your_key'), 'claude')),
      h('div.panel', h('h2', '3. Gemini CLI'), h('p', 'Install: ', h('code', 'npm install -g @google/gemini-cli')),
        code(env('GOOGLE_GEMINI_BASE_URL', `${origin}/gemini`), env('GEMINI_API_KEY', 'cr_your_key'), 'gemini')),
      h('div.panel', h('h2', '4. Codex CLI'), h('p', 'Install: ', h('code', 'npm install -g @openai/codex'), '. Add to ',
        h('code', os === 'windows' ? '%USERPROFILE%\\.codex\\config.toml' : '~/.codex/config.toml'), ':'),
        code('model_provider = "crs"', '', '[model_providers.crs]', 'name = "Claude Relay Service"', `base_url = "${origin}/openai"`, 'wire_api = "responses"', 'env_key = "CRS_OAI_KEY"'),
        code(env('CRS_OAI_KEY', 'cr_your_key'), 'codex')),
      h('div.panel', h('h2', '5. Droid CLI (Factory)'), h('p', 'Add custom models to ',
        h('code', os === 'windows' ? '%USERPROFILE%\\.factory\\config.json' : '~/.factory/config.json'), ' (the key needs the droid permission):'),
        code('{', '  "custom_models": [',
          `    {"model_display_name": "Sonnet 4.5 [crs]", "model": "claude-sonnet-4-5-20250929", "base_url": "${origin}/droid/claude", "api_key": "cr_your_key", "provider": "anthropic", "max_tokens": 64000},`,
          `    {"model_display_name": "GPT-5 Codex [crs]", "model": "gpt-5-codex", "base_url": "${origin}/droid/openai", "api_key": "cr_your_key", "provider": "openai", "max_tokens": 16384}`,
          '  ]', '}')),
      h('div.panel', h('h2', 'SDKs'), h('p', 'The official SDKs work unchanged: Anthropic ', h('code', `base_url="${origin}/api"`), ', OpenAI Responses ',
        h('code', `base_url="${origin}/openai/v1"`), ', Azure OpenAI ', h('code', `azure_endpoint="${origin}/azure"`), ', google-genai ',
        h('code', `http_options={"base_url": "${origin}/gemini"}`), ' — each with your ', h('code', 'cr_'), ' key as the API key.')));
  }
  mount(container, h('h1', 'Connect your tools'), tabs, body);
  draw();
}
