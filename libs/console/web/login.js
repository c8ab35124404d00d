// @ts-check
import { ApiError, errorMessage, get, SCRIPT_HEADERS } from './api.js';
import { alertBox, field, h, messageOf, replace } from './dom.js';

/**
 * Where to go after login: only a path of this origin (`/...`, never `//host`).
 * @param {string | null} value
 */
export function safeReturnTo(value) {
  return value && value.startsWith('/') && !value.startsWith('//') && !value.startsWith('/\\')
    ? value
    : undefined;
}

const LAST_TENANT = 'depot.console.tenant';

/**
 * The login page: tenant (prefilled), user, password. Logs in with `POST /tenant/oauth`, which sets
 * the session cookies, as Cumulocity's web applications do.
 * @param {HTMLElement} main
 * @param {() => void} onLoggedIn
 */
export function renderLogin(main, onLoggedIn) {
  const tenant = h('input', { type: 'text', name: 'tenant', autocomplete: 'organization', required: true });
  const user = h('input', { type: 'text', name: 'username', autocomplete: 'username', required: true });
  const password = h('input', {
    type: 'password',
    name: 'password',
    autocomplete: 'current-password',
    required: true,
  });
  const problem = h('div');
  const submit = h('button', { type: 'submit', class: 'primary' }, 'Log in');
  const form = h(
    'form',
    { class: 'stack login card', 'aria-labelledby': 'login-title' },
    h('h1', { id: 'login-title' }, 'Log in to Depot'),
    field('Tenant', tenant),
    field('User', user),
    field('Password', password),
    problem,
    submit,
  );
  replace(main, form);

  const remembered = localStorage.getItem(LAST_TENANT);
  if (remembered) tenant.value = remembered;
  else
    void get('/console/settings.json')
      .then((settings) => {
        if (!tenant.value) tenant.value = settings.tenant ?? '';
      })
      .catch(() => undefined);
  user.focus();

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void (async () => {
      replace(problem);
      submit.disabled = true;
      try {
        const tenantId = tenant.value.trim();
        const response = await fetch(
          `/tenant/oauth${tenantId ? `?tenant_id=${encodeURIComponent(tenantId)}` : ''}`,
          {
            method: 'POST',
            credentials: 'same-origin',
            headers: { Accept: 'application/json', ...SCRIPT_HEADERS },
            body: new URLSearchParams({
              grant_type: 'PASSWORD',
              username: user.value,
              password: password.value,
            }),
          },
        );
        if (!response.ok)
          throw new ApiError(response.status, errorMessage(response.status, await response.text()));
        if (tenantId) localStorage.setItem(LAST_TENANT, tenantId);
        onLoggedIn();
      } catch (error) {
        password.value = '';
        replace(problem, alertBox(messageOf(error)));
        password.focus();
      } finally {
        submit.disabled = false;
      }
    })();
  });
}
