// @ts-check
import { hasRole, loadSession, request, SCRIPT_HEADERS, xsrfToken } from './api.js';
import { renderApplication, renderApplications } from './applications.js';
import { alertBox, h, replace } from './dom.js';
import { renderFiles } from './files.js';
import { renderLogin, safeReturnTo } from './login.js';
import { renderUsers } from './users.js';

/** @typedef {import('./api.js').Session} Session */

const main = /** @type {HTMLElement} */ (document.getElementById('main'));
const nav = /** @type {HTMLElement} */ (document.getElementById('nav'));
const account = /** @type {HTMLElement} */ (document.getElementById('account'));
const health = /** @type {HTMLElement} */ (document.getElementById('health'));

/** @type {Session | undefined} */
let session;
/** @type {(() => void) | void} */
let leavePage;

/** @param {string} path */
function navigate(path) {
  history.pushState(null, '', path);
  void route();
}

// Links marked `data-route` change the page without a reload.
document.addEventListener('click', (event) => {
  const link = event.target instanceof Element ? event.target.closest('a[data-route]') : null;
  if (!(link instanceof HTMLAnchorElement) || event.ctrlKey || event.metaKey || event.shiftKey) return;
  event.preventDefault();
  navigate(link.pathname + link.search);
});
window.addEventListener('popstate', () => void route());
window.addEventListener('depot:unauthorized', () => {
  if (session && location.pathname !== '/console/login') {
    session = undefined;
    navigate(`/console/login?returnTo=${encodeURIComponent(location.pathname + location.search)}`);
  }
});

function renderHeader() {
  if (!session) {
    replace(nav);
    replace(account);
    return;
  }
  const current = session;
  /** @type {[string, string, boolean][]} */
  const pages = [
    ['/console/files', 'Files', hasRole(current, 'INVENTORY_READ', 'INVENTORY_ADMIN', 'INVENTORY_CREATE')],
    [
      '/console/applications',
      'Applications',
      hasRole(current, 'APPLICATION_MANAGEMENT_READ', 'APPLICATION_MANAGEMENT_ADMIN'),
    ],
    ['/console/users', 'Users', hasRole(current, 'USER_MANAGEMENT_READ', 'USER_MANAGEMENT_ADMIN')],
  ];
  replace(
    nav,
    h(
      'ul',
      {},
      pages
        .filter(([, , allowed]) => allowed)
        .map(([path, title]) =>
          h(
            'li',
            {},
            h(
              'a',
              {
                href: path,
                'data-route': '',
                'aria-current': location.pathname.startsWith(path) ? 'page' : undefined,
              },
              title,
            ),
          ),
        ),
    ),
  );
  replace(
    account,
    h('span', { class: 'user', title: `${current.tenant}/${current.userName}` }, current.displayName),
    h('button', { type: 'button', onclick: () => void logout() }, 'Log out'),
  );
}

async function logout() {
  try {
    await request('POST', '/user/logout');
  } catch {
    // the session may be gone already; the login page follows either way
  }
  session = undefined;
  navigate('/console/login');
}

async function refreshHealth() {
  try {
    const response = await fetch('/health', { headers: { Accept: 'application/json', ...SCRIPT_HEADERS } });
    const report = await response.json();
    const storage = report.storage ? ` · storage ${report.storage.status} (${report.storage.driver})` : '';
    health.textContent = `Server ${report.status} · database ${report.database?.status ?? '?'}${storage}`;
    health.dataset.status = report.status;
  } catch {
    health.textContent = 'Server unreachable';
    health.dataset.status = 'DOWN';
  }
}

async function route() {
  if (typeof leavePage === 'function') leavePage();
  leavePage = undefined;
  const path = location.pathname.replace(/\/+$/, '');
  if (path === '/console/login') {
    session = undefined;
    renderHeader();
    const returnTo = safeReturnTo(new URLSearchParams(location.search).get('returnTo'));
    renderLogin(main, () => {
      if (returnTo && !returnTo.startsWith('/console')) location.assign(returnTo);
      else navigate(returnTo ?? '/console/');
    });
    document.title = 'Log in · Depot';
    return;
  }
  if (!session) {
    try {
      // Without the session's script-readable cookie there is no session to ask about (and no 401
      // to log): straight to the login page.
      if (xsrfToken() === undefined) throw new Error('Not logged in');
      session = await loadSession();
    } catch {
      session = undefined;
      const here = location.pathname + location.search;
      history.replaceState(
        null,
        '',
        `/console/login${here === '/console/' ? '' : `?returnTo=${encodeURIComponent(here)}`}`,
      );
      return route();
    }
  }
  const current = session;
  renderHeader();
  const appMatch = /^\/console\/applications\/([^/]+)$/.exec(path);
  if (path === '/console/files') {
    document.title = 'Files · Depot';
    leavePage = renderFiles(main, current);
  } else if (path === '/console/applications') {
    document.title = 'Applications · Depot';
    renderApplications(main, current, navigate);
  } else if (appMatch) {
    document.title = 'Application · Depot';
    renderApplication(main, current, decodeURIComponent(appMatch[1]), navigate);
  } else if (path === '/console/users') {
    document.title = 'Users · Depot';
    renderUsers(main, current);
  } else if (path === '/console' || path === '') {
    const first = nav.querySelector('a');
    if (first instanceof HTMLAnchorElement) return navigate(first.pathname);
    replace(main, h('h1', {}, 'Depot'), h('p', {}, 'Your roles give access to no page of the console.'));
  } else {
    replace(main, h('h1', {}, 'Not found'), alertBox(`No console page ${location.pathname}`));
  }
  main.focus({ preventScroll: true });
}

void refreshHealth();
setInterval(() => void refreshHealth(), 30_000);
void route();
