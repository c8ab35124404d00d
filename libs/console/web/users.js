// @ts-check
import { get, hasRole, query, request } from './api.js';
import { alertBox, createForm, field, formDialog, h, messageOf, replace, tableHead } from './dom.js';

/** @typedef {import('./api.js').Session} Session */
/**
 * @typedef {object} User
 * @property {string} userName
 * @property {string} [email]
 * @property {boolean} enabled
 * @property {{ references: { role: { id: string } }[] }} roles
 */

/**
 * The Users page (user admins): the tenant's users, a form to create one, and their roles.
 * @param {HTMLElement} main
 * @param {Session} session
 */
export function renderUsers(main, session) {
  const isAdmin = hasRole(session, 'USER_MANAGEMENT_ADMIN');
  const usersUrl = `/user/${encodeURIComponent(session.tenant)}/users`;
  const errors = h('div');
  const table = h('table', { class: 'data' });
  /** @type {string[]} */
  let allRoles = [];

  const userName = h('input', { type: 'text', required: true, autocomplete: 'off' });
  const password = h('input', {
    type: 'password',
    required: true,
    autocomplete: 'new-password',
    minlength: 8,
  });
  const email = h('input', { type: 'email', autocomplete: 'off' });
  const create = createForm(
    'Create user',
    [field('User name', userName), field('New password', password), field('Email', email)],
    async () => {
      await request('POST', usersUrl, {
        json: {
          userName: userName.value,
          password: password.value,
          ...(email.value ? { email: email.value } : {}),
        },
      });
      create.reset();
      await load();
    },
  );

  replace(
    main,
    h('div', { class: 'page-head' }, h('h1', {}, 'Users')),
    isAdmin ? create : null,
    errors,
    h('div', { class: 'table-wrap' }, table),
  );

  async function load() {
    replace(errors);
    try {
      const [users, roles] = await Promise.all([
        get(`${usersUrl}${query({ pageSize: 2000 })}`),
        allRoles.length > 0 ? undefined : get(`/user/roles${query({ pageSize: 100 })}`),
      ]);
      if (roles) allRoles = (roles.roles ?? []).map((/** @type {{ id: string }} */ role) => role.id);
      /** @type {User[]} */
      const list = users.users ?? [];
      replace(
        table,
        h('caption', { class: 'visually-hidden' }, 'Users'),
        tableHead(['User name', 'Email', 'Enabled', 'Roles']),
        h(
          'tbody',
          {},
          list.map((user) => {
            const roles = user.roles.references.map((reference) => reference.role.id);
            return h(
              'tr',
              {},
              h('td', { class: 'name' }, user.userName),
              h('td', {}, user.email ?? ''),
              h('td', {}, user.enabled ? 'yes' : 'no'),
              h('td', { class: 'roles' }, roles.map((role) => role.replace(/^ROLE_/, '')).join(', ')),
              h(
                'td',
                { class: 'actions' },
                isAdmin
                  ? h(
                      'button',
                      { type: 'button', class: 'small', onclick: () => void editRoles(user.userName, roles) },
                      'Roles',
                    )
                  : null,
              ),
            );
          }),
        ),
      );
    } catch (error) {
      replace(errors, alertBox(messageOf(error)));
    }
  }

  /**
   * @param {string} name
   * @param {string[]} current
   */
  async function editRoles(name, current) {
    const boxes = allRoles.map((role) =>
      h('input', { type: 'checkbox', value: role, checked: current.includes(role) }),
    );
    const saved = await formDialog(
      `Roles of ${name}`,
      [
        h(
          'fieldset',
          {},
          h('legend', {}, 'Roles'),
          boxes.map((box) => h('label', { class: 'check-line' }, box, box.value.replace(/^ROLE_/, ''))),
        ),
      ],
      async () => {
        const wanted = new Set(boxes.filter((box) => box.checked).map((box) => box.value));
        const userUrl = `${usersUrl}/${encodeURIComponent(name)}/roles`;
        for (const role of allRoles) {
          if (wanted.has(role) && !current.includes(role))
            await request('POST', userUrl, {
              json: { role: { self: `${location.origin}/user/roles/${role}` } },
            });
          if (!wanted.has(role) && current.includes(role))
            await request('DELETE', `${userUrl}/${encodeURIComponent(role)}`);
        }
        return true;
      },
    );
    if (saved) await load();
  }

  void load();
}
