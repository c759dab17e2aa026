// The admin API client: JSON in and out, the admin token from localStorage (the Node SPA's `authToken`), and a
// 401 anywhere → back to the login page.
import { navigate } from './router.js';

export const auth = {
  get token() { return localStorage.getItem('authToken'); },
  set token(value) { value ? localStorage.setItem('authToken', value) : localStorage.removeItem('authToken'); },
  get username() { return localStorage.getItem('authUser') || ''; },
  set username(value) { value ? localStorage.setItem('authUser', value) : localStorage.removeItem('authUser'); },
};

export class APIError extends Error {
  constructor(status, body) {
    super((body && (body.message || (body.error && body.error.message) || body.error)) || `HTTP ${status}`);
    this.status = status;
    this.body = body;
  }
}

/** api('GET', '/admin/api-keys', body?, {public: true}) → parsed JSON (throws APIError on non-2xx). */
export async function api(method, path, body, options = {}) {
  const headers = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (!options.public && auth.token) headers.Authorization = 'Bearer ' + auth.token;
  const response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  let json = null;
  try { json = await response.json(); } catch { json = null; }
  if (response.status === 401 && !options.public) {
    auth.token = null;
    if (!location.pathname.endsWith('/login')) navigate('/login');
    throw new APIError(401, json);
  }
  if (!response.ok) throw new APIError(response.status, json);
  return json;
}

export const get = (path, options) => api('GET', path, undefined, options);
export const post = (path, body, options) => api('POST', path, body ?? {}, options);
export const put = (path, body) => api('PUT', path, body ?? {});
export const del = (path, body) => api('DELETE', path, body);
export const patch = (path, body) => api('PATCH', path, body ?? {});

/** Query string from an object (empty values left out). */
export function qs(params) {
  const search = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') search.set(k, v);
  const text = search.toString();
  return text ? '?' + text : '';
}
