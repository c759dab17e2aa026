// The account kinds the relay's providers declare (GET /admin/account-kinds): their admin paths, forms, and the
// key fields that bind a key to an account. Loaded once per page load; the pages keep no lists of their own.
import { get } from './api.js';

let loaded = null;

/** { kinds: [{name, label, adminPath, platform, pool, permission, oauth, form}], bindings: [{field, label, groupPlatform?, kinds}] } */
export function accountKinds() {
  if (!loaded) loaded = get('/admin/account-kinds').then((reply) => reply.data).catch((error) => { loaded = null; throw error; });
  return loaded;
}
