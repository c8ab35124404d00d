// @ts-check
import { get, hasRole, query, request, upload } from './api.js';
import {
  alertBox,
  confirmDialog,
  createForm,
  field,
  filePicker,
  formDialog,
  h,
  humanDate,
  humanSize,
  messageOf,
  onSubmit,
  replace,
  tableHead,
} from './dom.js';
import { Transfers } from './transfers.js';

/** @typedef {import('./api.js').Session} Session */
/**
 * @typedef {object} Application
 * @property {string} id
 * @property {string} name
 * @property {string} key
 * @property {string} [contextPath]
 * @property {string} type
 * @property {string} [availability]
 * @property {string} [activeVersionId]
 * @property {Version[]} [applicationVersions]
 */
/**
 * @typedef {object} Version
 * @property {string} version
 * @property {string} binaryId
 * @property {string[]} tags
 */

/** @param {string} text "a, b c" → ["a", "b", "c"] */
const tagsOf = (text) => text.split(/[\s,]+/).filter(Boolean);

/** @param {string} id */
const appUrl = (id) => `/application/applications/${encodeURIComponent(id)}`;

/** @param {Application} app */
function openLink(app) {
  if (app.type !== 'HOSTED' || !app.contextPath) return null;
  return h(
    'a',
    {
      class: 'button small',
      href: `/apps/${encodeURIComponent(app.contextPath)}/`,
      target: '_blank',
      rel: 'noopener',
      'aria-label': `Open ${app.name}`,
    },
    'Open',
  );
}

/**
 * The Applications page: the tenant's applications and a form to create a hosted one.
 * @param {HTMLElement} main
 * @param {Session} session
 * @param {(path: string) => void} navigate
 */
export function renderApplications(main, session, navigate) {
  const isAdmin = hasRole(session, 'APPLICATION_MANAGEMENT_ADMIN');
  const errors = h('div');
  const table = h('table', { class: 'data' });
  const status = h('div', { class: 'status', 'aria-live': 'polite' });

  const name = h('input', { type: 'text', required: true, autocomplete: 'off' });
  const key = h('input', { type: 'text', required: true, autocomplete: 'off' });
  const contextPath = h('input', { type: 'text', required: true, autocomplete: 'off' });
  name.addEventListener('input', () => {
    const slug = name.value
      .toLowerCase()
      .replace(/[^a-z0-9-]+/g, '-')
      .replace(/^-|-$/g, '');
    key.value = slug ? `${slug}-key` : '';
    contextPath.value = slug;
  });
  const create = createForm(
    'Create hosted application',
    [field('Name', name), field('Key', key), field('Context path', contextPath)],
    async () => {
      const created = await request('POST', '/application/applications', {
        json: { name: name.value, key: key.value, contextPath: contextPath.value, type: 'HOSTED' },
      });
      navigate(`/console/applications/${encodeURIComponent(created.id)}`);
    },
  );

  replace(
    main,
    h('div', { class: 'page-head' }, h('h1', {}, 'Applications')),
    isAdmin ? create : null,
    errors,
    h('div', { class: 'table-wrap' }, table),
    status,
  );

  async function load() {
    try {
      const answer = await get(
        `/application/applications${query({ pageSize: 2000, withTotalElements: true })}`,
      );
      /** @type {Application[]} */
      const apps = answer.applications ?? [];
      status.textContent = `${apps.length} ${apps.length === 1 ? 'application' : 'applications'}`;
      replace(
        table,
        h('caption', { class: 'visually-hidden' }, 'Applications'),
        tableHead(['Name', 'Key', 'Context path', 'Type', 'Availability', 'Active version']),
        h(
          'tbody',
          {},
          apps.length === 0
            ? h('tr', {}, h('td', { colspan: 7, class: 'empty' }, 'No applications'))
            : apps.map((app) =>
                h(
                  'tr',
                  {},
                  h(
                    'td',
                    { class: 'name' },
                    h(
                      'a',
                      { href: `/console/applications/${encodeURIComponent(app.id)}`, 'data-route': '' },
                      app.name,
                    ),
                  ),
                  h('td', {}, app.key),
                  h('td', {}, app.contextPath ?? ''),
                  h('td', {}, app.type),
                  h('td', {}, app.availability ?? ''),
                  h('td', {}, app.activeVersionId ?? ''),
                  h('td', { class: 'actions' }, openLink(app)),
                ),
              ),
        ),
      );
    } catch (error) {
      replace(errors, alertBox(messageOf(error)));
    }
  }
  void load();
}

/**
 * One application: its properties, archives (upload, activate, download, delete), plugins (list,
 * add, remove) and single-file writes.
 * @param {HTMLElement} main
 * @param {Session} session
 * @param {string} id
 * @param {(path: string) => void} navigate
 */
export function renderApplication(main, session, id, navigate) {
  const isAdmin = hasRole(session, 'APPLICATION_MANAGEMENT_ADMIN');
  const transfers = new Transfers();
  const errors = h('div');
  const head = h('div', { class: 'page-head' });
  const properties = h('dl', { class: 'properties' });
  const archives = h('table', { class: 'data' });
  const plugins = h('table', { class: 'data' });
  const versions = h('table', { class: 'data' });
  /** @type {Application | undefined} */
  let app;

  /** @param {unknown} error */
  const fail = (error) => replace(errors, alertBox(messageOf(error)));

  /** @param {File[]} files */
  const uploadArchives = async (files) => {
    for (const file of files) {
      const form = new FormData();
      form.append('fileName', file.name);
      form.append('file', file, file.name);
      await transfers.run(file.name, file.size, (onProgress) =>
        upload('POST', `${appUrl(id)}/binaries`, form, onProgress),
      );
    }
    await load();
  };

  const pluginName = h('input', { type: 'text', autocomplete: 'off', pattern: '[A-Za-z0-9._-]+' });
  const addPlugin = filePicker(
    'Add plugin zip',
    (files) => {
      const file = files[0];
      const nameOfPlugin = pluginName.value.trim() || file.name.replace(/\.zip$/i, '');
      const form = new FormData();
      form.append('file', file, file.name);
      void transfers
        .run(file.name, file.size, (onProgress) =>
          upload(
            'POST',
            `${appUrl(id)}/binaries/plugins/${encodeURIComponent(nameOfPlugin)}`,
            form,
            onProgress,
          ),
        )
        .then(() => {
          pluginName.value = '';
          return load();
        });
    },
    { accept: '.zip,application/zip' },
  );

  const newVersion = h('input', { type: 'text', autocomplete: 'off', placeholder: 'from cumulocity.json' });
  const newTags = h('input', { type: 'text', autocomplete: 'off', placeholder: 'e.g. latest, next' });
  const addVersion = filePicker(
    'Upload version',
    (files) => {
      const file = files[0];
      const form = new FormData();
      /** @type {{ version?: string, tags: string[] }} */
      const descriptor = { tags: tagsOf(newTags.value) };
      if (newVersion.value.trim()) descriptor.version = newVersion.value.trim();
      form.append('applicationVersion', JSON.stringify(descriptor));
      form.append('fileName', file.name);
      form.append('applicationBinary', file, file.name);
      void transfers
        .run(file.name, file.size, (onProgress) => upload('POST', `${appUrl(id)}/versions`, form, onProgress))
        .then((answer) => {
          if (answer !== undefined) {
            newVersion.value = '';
            newTags.value = '';
          }
          return load();
        });
    },
    { accept: '.zip,application/zip' },
  );

  const filePath = h('input', {
    type: 'text',
    autocomplete: 'off',
    placeholder: 'e.g. config/settings.json',
  });
  const fileText = h('textarea', { rows: 4, spellcheck: 'false' });
  const writeProblem = h('div');
  const written = h('p', { role: 'status', class: 'muted' });
  const writeForm = h(
    'form',
    { class: 'stack card', 'aria-label': 'Write a file' },
    h('h2', {}, 'Write a file'),
    field('Path', filePath),
    field('Content', fileText),
    writeProblem,
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, 'Write file')),
    written,
  );
  onSubmit(writeForm, writeProblem, async () => {
    written.textContent = '';
    const path = filePath.value.trim();
    if (!path) throw new Error('Give the path of the file');
    const form = new FormData();
    form.append(
      path,
      new Blob([fileText.value], { type: 'application/octet-stream' }),
      path.split('/').pop(),
    );
    await upload('POST', `${appUrl(id)}/binaries/files`, form, () => undefined).done;
    filePath.value = '';
    fileText.value = '';
    written.textContent = `Wrote ${path}: a new active archive`;
    await load();
  });

  replace(
    main,
    h('p', {}, h('a', { href: '/console/applications', 'data-route': '' }, '← Applications')),
    head,
    errors,
    properties,
    h(
      'section',
      { 'aria-labelledby': 'archives-title' },
      h(
        'div',
        { class: 'page-head' },
        h('h2', { id: 'archives-title' }, 'Archives'),
        isAdmin
          ? filePicker('Upload', (files) => void uploadArchives(files), { multiple: true, accept: '.zip' })
          : null,
      ),
      transfers.element,
      h('div', { class: 'table-wrap' }, archives),
    ),
    h(
      'section',
      { 'aria-labelledby': 'versions-title' },
      h('div', { class: 'page-head' }, h('h2', { id: 'versions-title' }, 'Versions')),
      isAdmin
        ? h('div', { class: 'toolbar' }, field('Version', newVersion), field('Tags', newTags), addVersion)
        : null,
      h('div', { class: 'table-wrap' }, versions),
    ),
    h(
      'section',
      { 'aria-labelledby': 'plugins-title' },
      h('div', { class: 'page-head' }, h('h2', { id: 'plugins-title' }, 'Plugins')),
      isAdmin ? h('div', { class: 'toolbar' }, field('Plugin name', pluginName), addPlugin) : null,
      h('div', { class: 'table-wrap' }, plugins),
    ),
    isAdmin ? writeForm : null,
  );

  async function load() {
    replace(errors);
    try {
      app = /** @type {Application} */ (await get(appUrl(id)));
    } catch (error) {
      return fail(error);
    }
    const current = app;
    replace(
      head,
      h('h1', {}, current.name),
      h(
        'div',
        { class: 'actions' },
        openLink(current),
        isAdmin
          ? h(
              'button',
              { type: 'button', class: 'danger', onclick: () => void removeApp(current) },
              'Delete application',
            )
          : null,
      ),
    );
    replace(
      properties,
      [
        ['ID', current.id],
        ['Key', current.key],
        ['Context path', current.contextPath ?? ''],
        ['Type', current.type],
        ['Availability', current.availability ?? ''],
        ['Active version', current.activeVersionId ?? 'none'],
      ].flatMap(([term, value]) => [h('dt', {}, term), h('dd', {}, value)]),
    );
    if (current.type !== 'HOSTED') return;
    // Listing archives takes APPLICATION_MANAGEMENT_ADMIN; a reader is not sent into a 403.
    if (!isAdmin)
      replace(archives, h('caption', {}, 'The archives are shown to application administrators.'));
    renderVersions(current);
    await Promise.all([isAdmin ? loadArchives(current) : undefined, loadPlugins()]);
  }

  /**
   * The versions come with the application object (GET .../versions is a 404 without any).
   * @param {Application} current
   */
  function renderVersions(current) {
    const list = current.applicationVersions ?? [];
    replace(
      versions,
      h('caption', { class: 'visually-hidden' }, 'Versions'),
      tableHead(['Version', 'Tags', 'Archive']),
      h(
        'tbody',
        {},
        list.length === 0
          ? h('tr', {}, h('td', { colspan: 4, class: 'empty' }, 'No versions'))
          : list.map((entry) => {
              const isLatest = entry.tags.includes('latest');
              return h(
                'tr',
                {},
                h('td', { class: 'name' }, entry.version),
                h(
                  'td',
                  {},
                  entry.tags.map((tag) => h('span', { class: tag === 'latest' ? 'badge' : 'tag' }, tag)),
                ),
                h('td', {}, entry.binaryId),
                h(
                  'td',
                  { class: 'actions' },
                  current.contextPath
                    ? h(
                        'a',
                        {
                          class: 'button small',
                          href: `/apps/${encodeURIComponent(current.contextPath)}@${encodeURIComponent(entry.version)}/`,
                          target: '_blank',
                          rel: 'noopener',
                          'aria-label': `Open version ${entry.version}`,
                        },
                        'Open',
                      )
                    : null,
                  isAdmin && !isLatest
                    ? h(
                        'button',
                        {
                          type: 'button',
                          class: 'small',
                          onclick: () => void setTags(entry, [...entry.tags, 'latest']),
                        },
                        'Make latest',
                      )
                    : null,
                  isAdmin
                    ? h(
                        'button',
                        { type: 'button', class: 'small', onclick: () => void editTags(entry) },
                        'Tags',
                      )
                    : null,
                  isAdmin && !isLatest
                    ? h(
                        'button',
                        { type: 'button', class: 'small danger', onclick: () => void removeVersion(entry) },
                        'Delete',
                      )
                    : null,
                ),
              );
            }),
      ),
    );
  }

  /**
   * @param {Version} entry
   * @param {string[]} tags
   */
  async function setTags(entry, tags) {
    try {
      await request('PUT', `${appUrl(id)}/versions/${encodeURIComponent(entry.version)}`, {
        json: { tags: [...new Set(tags)] },
      });
      await load();
    } catch (error) {
      fail(error);
    }
  }

  /** @param {Version} entry */
  async function editTags(entry) {
    const input = h('input', { type: 'text', autocomplete: 'off', value: entry.tags.join(', ') });
    const tags = await formDialog(`Tags of ${entry.version}`, [field('Tags', input)], () =>
      tagsOf(input.value),
    );
    if (tags) await setTags(entry, tags);
  }

  /** @param {Version} entry */
  async function removeVersion(entry) {
    if (!(await confirmDialog('Delete version', `Delete version ${entry.version} and its archive?`))) return;
    try {
      await request('DELETE', `${appUrl(id)}/versions${query({ version: entry.version })}`);
      await load();
    } catch (error) {
      fail(error);
    }
  }

  /** @param {Application} current */
  async function loadArchives(current) {
    try {
      const answer = await get(`${appUrl(id)}/binaries`);
      /** @type {{ id: string, name: string, length: number, created: string }[]} */
      const attachments = answer.attachments ?? [];
      replace(
        archives,
        h('caption', { class: 'visually-hidden' }, 'Archives'),
        tableHead(['Name', 'ID', 'Size', 'Created', 'State']),
        h(
          'tbody',
          {},
          attachments.length === 0
            ? h('tr', {}, h('td', { colspan: 6, class: 'empty' }, 'No archives'))
            : attachments.map((archive) => {
                const active = archive.id === current.activeVersionId;
                return h(
                  'tr',
                  {},
                  h('td', { class: 'name' }, archive.name),
                  h('td', {}, archive.id),
                  h('td', { class: 'number' }, humanSize(archive.length)),
                  h('td', {}, humanDate(archive.created)),
                  h('td', {}, active ? h('span', { class: 'badge' }, 'Active') : ''),
                  h(
                    'td',
                    { class: 'actions' },
                    isAdmin && !active
                      ? h(
                          'button',
                          { type: 'button', class: 'small', onclick: () => void activate(archive.id) },
                          'Activate',
                        )
                      : null,
                    h(
                      'a',
                      {
                        class: 'button small',
                        href: `${appUrl(id)}/binaries/${encodeURIComponent(archive.id)}`,
                        download: archive.name,
                        'aria-label': 'Download',
                      },
                      'Download',
                    ),
                    isAdmin && !active
                      ? h(
                          'button',
                          {
                            type: 'button',
                            class: 'small danger',
                            onclick: () => void removeArchive(archive),
                          },
                          'Delete',
                        )
                      : null,
                  ),
                );
              }),
        ),
      );
    } catch (error) {
      fail(error);
    }
  }

  async function loadPlugins() {
    try {
      /** @type {{ pluginName: string, pluginPackage?: unknown }[]} */
      const list = (await get(`${appUrl(id)}/binaries/plugins`)) ?? [];
      replace(
        plugins,
        h('caption', { class: 'visually-hidden' }, 'Plugins'),
        tableHead(['Name', 'cumulocity.json']),
        h(
          'tbody',
          {},
          list.length === 0
            ? h('tr', {}, h('td', { colspan: 3, class: 'empty' }, 'No plugins'))
            : list.map((plugin) =>
                h(
                  'tr',
                  {},
                  h('td', { class: 'name' }, plugin.pluginName),
                  h(
                    'td',
                    {},
                    plugin.pluginPackage === undefined || plugin.pluginPackage === null
                      ? h('span', { class: 'muted' }, 'none')
                      : h('pre', { class: 'json' }, JSON.stringify(plugin.pluginPackage, null, 2)),
                  ),
                  h(
                    'td',
                    { class: 'actions' },
                    isAdmin
                      ? h(
                          'button',
                          {
                            type: 'button',
                            class: 'small danger',
                            onclick: () => void removePlugin(plugin.pluginName),
                          },
                          'Remove',
                        )
                      : null,
                  ),
                ),
              ),
        ),
      );
    } catch (error) {
      fail(error);
    }
  }

  /** @param {string} archiveId */
  async function activate(archiveId) {
    try {
      await request('PUT', appUrl(id), { json: { activeVersionId: archiveId } });
      await load();
    } catch (error) {
      fail(error);
    }
  }

  /** @param {{ id: string, name: string }} archive */
  async function removeArchive(archive) {
    if (!(await confirmDialog('Delete archive', `Delete archive “${archive.name}” (${archive.id})?`))) return;
    try {
      await request('DELETE', `${appUrl(id)}/binaries/${encodeURIComponent(archive.id)}`);
      await load();
    } catch (error) {
      fail(error);
    }
  }

  /** @param {string} name */
  async function removePlugin(name) {
    if (!(await confirmDialog('Remove plugin', `Remove plugin “${name}” from this application?`, 'Remove')))
      return;
    try {
      await request('DELETE', `${appUrl(id)}/binaries/plugins/${encodeURIComponent(name)}`);
      await load();
    } catch (error) {
      fail(error);
    }
  }

  /** @param {Application} current */
  async function removeApp(current) {
    if (!(await confirmDialog('Delete application', `Delete “${current.name}” with all its archives?`)))
      return;
    try {
      await request('DELETE', appUrl(id));
      navigate('/console/applications');
    } catch (error) {
      fail(error);
    }
  }

  void load();
}
