// @ts-check
import { get, hasRole, query, request, upload } from './api.js';
import {
  alertBox,
  confirmDialog,
  field,
  filePicker,
  formDialog,
  h,
  humanDate,
  humanSize,
  messageOf,
  replace,
  tableHead,
} from './dom.js';
import { Transfers } from './transfers.js';

/** @typedef {import('./api.js').Session} Session */
/**
 * @typedef {object} Binary
 * @property {string} id
 * @property {string} name
 * @property {string} [type]
 * @property {number} [length]
 * @property {string} [owner]
 * @property {string} [lastUpdated]
 * @property {string} [contentType]
 */

/** Fields of a binary's managed object that are not the user's own fragments. */
const STANDARD_FIELDS = new Set([
  'id',
  'self',
  'name',
  'type',
  'owner',
  'creationTime',
  'lastUpdated',
  'length',
  'contentType',
  'c8y_IsBinary',
  'childAdditions',
  'childAssets',
  'childDevices',
  'additionParents',
  'assetParents',
  'deviceParents',
]);

const PAGE_SIZES = [10, 25, 50, 100];

/**
 * The Files page: the tenant's binaries, searchable and paged, with uploads by picker or drop.
 * @param {HTMLElement} main
 * @param {Session} session
 * @returns {() => void} what to undo when the page is left
 */
export function renderFiles(main, session) {
  const canCreate = hasRole(session, 'INVENTORY_ADMIN', 'INVENTORY_CREATE');
  const isAdmin = hasRole(session, 'INVENTORY_ADMIN');
  /** @param {Binary} binary */
  const canChange = (binary) => isAdmin || (canCreate && binary.owner === session.userName);
  const state = { page: 1, pageSize: 10, text: '', type: '' };
  /** @type {Binary[]} */
  let rows = [];
  const selected = new Set();
  const transfers = new Transfers();

  const search = h('input', { type: 'search', name: 'text', placeholder: 'Name contains…' });
  const typeFilter = h('input', { type: 'text', name: 'type', placeholder: 'e.g. application/pdf' });
  const pageSize = h(
    'select',
    { name: 'pageSize' },
    PAGE_SIZES.map((size) => h('option', { value: size }, String(size))),
  );
  const status = h('div', { class: 'status', 'aria-live': 'polite' });
  const errors = h('div');
  const table = h('table', { class: 'data' });
  const pager = h('nav', { class: 'pager', 'aria-label': 'Pages' });
  const bulkDelete = h('button', { type: 'button', class: 'danger', disabled: true }, 'Delete selected');

  let debounce = 0;
  const refreshSoon = () => {
    clearTimeout(debounce);
    debounce = window.setTimeout(() => {
      state.page = 1;
      void load();
    }, 250);
  };
  search.addEventListener('input', () => {
    state.text = search.value.trim();
    refreshSoon();
  });
  typeFilter.addEventListener('input', () => {
    state.type = typeFilter.value.trim();
    refreshSoon();
  });
  pageSize.addEventListener('change', () => {
    state.pageSize = Number(pageSize.value);
    state.page = 1;
    void load();
  });
  bulkDelete.addEventListener('click', () => void deleteSelected());

  /** @param {File[]} files */
  const uploadAll = (files) => {
    void Promise.all(files.map((file) => uploadOne(file))).then(() => load());
  };

  /** @param {File} file */
  const uploadOne = (file) => {
    const form = new FormData();
    form.append('object', JSON.stringify({ name: file.name, type: file.type || 'application/octet-stream' }));
    form.append('filesize', String(file.size));
    form.append('file', file, file.name);
    return transfers.run(file.name, file.size, (onProgress) =>
      upload('POST', '/inventory/binaries', form, onProgress),
    );
  };

  /** @param {Binary} binary @param {File} file */
  const replaceContent = async (binary, file) => {
    const answer = await transfers.run(file.name, file.size, (onProgress) =>
      upload(
        'PUT',
        `/inventory/binaries/${encodeURIComponent(binary.id)}`,
        file,
        onProgress,
        file.type || 'application/octet-stream',
      ),
    );
    if (answer !== undefined) await load();
  };

  // Files dropped anywhere on the page are uploaded (the drop zone only shows where).
  const dropZone = h('div', { class: 'drop-zone' }, 'Drop files anywhere on this page to upload them');
  /** @param {DragEvent} event */
  const onDragOver = (event) => {
    if (!canCreate || !event.dataTransfer?.types.includes('Files')) return;
    event.preventDefault();
    dropZone.classList.add('active');
  };
  const onDragLeave = () => dropZone.classList.remove('active');
  /** @param {DragEvent} event */
  const onDrop = (event) => {
    if (!canCreate) return;
    event.preventDefault();
    dropZone.classList.remove('active');
    const files = [...(event.dataTransfer?.files ?? [])];
    if (files.length > 0) uploadAll(files);
  };
  document.addEventListener('dragover', onDragOver);
  document.addEventListener('dragleave', onDragLeave);
  document.addEventListener('drop', onDrop);

  replace(
    main,
    h(
      'div',
      { class: 'page-head' },
      h('h1', {}, 'Files'),
      canCreate ? filePicker('Upload', uploadAll, { multiple: true }) : null,
    ),
    canCreate ? dropZone : null,
    transfers.element,
    h(
      'form',
      { role: 'search', class: 'toolbar', onsubmit: (/** @type {Event} */ event) => event.preventDefault() },
      field('Search', search),
      field('Type', typeFilter),
      field('Page size', pageSize),
      isAdmin || canCreate ? bulkDelete : null,
    ),
    errors,
    h('div', { class: 'table-wrap' }, table),
    h('div', { class: 'table-foot' }, status, pager),
  );

  async function load() {
    replace(errors);
    try {
      const answer = await get(
        `/inventory/binaries${query({
          pageSize: state.pageSize,
          currentPage: state.page,
          withTotalPages: true,
          withTotalElements: true,
          text: state.text,
          type: state.type,
        })}`,
      );
      rows = answer.managedObjects ?? [];
      selected.clear();
      renderTable();
      const totalPages = answer.statistics?.totalPages ?? 1;
      const totalElements = answer.statistics?.totalElements ?? rows.length;
      status.textContent = `${totalElements} ${totalElements === 1 ? 'file' : 'files'} · page ${state.page} of ${Math.max(totalPages, 1)}`;
      renderPager(totalPages);
    } catch (error) {
      replace(errors, alertBox(messageOf(error)));
    }
  }

  /** @param {number} totalPages */
  function renderPager(totalPages) {
    const go = (/** @type {number} */ page) => {
      state.page = page;
      void load();
    };
    replace(
      pager,
      h(
        'button',
        { type: 'button', disabled: state.page <= 1, onclick: () => go(state.page - 1) },
        'Previous',
      ),
      h(
        'button',
        { type: 'button', disabled: state.page >= totalPages, onclick: () => go(state.page + 1) },
        'Next',
      ),
    );
  }

  function updateBulk() {
    bulkDelete.disabled = selected.size === 0;
    bulkDelete.textContent = selected.size > 0 ? `Delete selected (${selected.size})` : 'Delete selected';
  }

  function renderTable() {
    const selectable = rows.filter(canChange);
    const selectAll = h('input', {
      type: 'checkbox',
      'aria-label': 'Select all',
      disabled: selectable.length === 0,
    });
    selectAll.addEventListener('change', () => {
      for (const binary of selectable) {
        if (selectAll.checked) selected.add(binary.id);
        else selected.delete(binary.id);
      }
      for (const box of table.querySelectorAll('tbody input[type=checkbox]'))
        if (box instanceof HTMLInputElement && !box.disabled) box.checked = selectAll.checked;
      updateBulk();
    });
    replace(
      table,
      h('caption', { class: 'visually-hidden' }, 'Files'),
      tableHead(
        ['Name', 'Type', 'Size', 'Owner', 'Last updated'],
        h('th', { scope: 'col', class: 'check' }, selectAll),
      ),
      h(
        'tbody',
        {},
        rows.length === 0
          ? h('tr', {}, h('td', { colspan: 7, class: 'empty' }, 'No files'))
          : rows.map((binary) => row(binary)),
      ),
    );
    updateBulk();
  }

  /** @param {Binary} binary */
  function row(binary) {
    const box = h('input', {
      type: 'checkbox',
      'aria-label': `Select ${binary.name}`,
      disabled: !canChange(binary),
    });
    box.addEventListener('change', () => {
      if (box.checked) selected.add(binary.id);
      else selected.delete(binary.id);
      updateBulk();
    });
    const actions = h(
      'td',
      { class: 'actions' },
      h(
        'a',
        {
          class: 'button small',
          href: `/inventory/binaries/${encodeURIComponent(binary.id)}`,
          download: binary.name,
          'aria-label': 'Download',
          title: `Download ${binary.name}`,
        },
        'Download',
      ),
    );
    if (canChange(binary)) {
      const picker = h('input', {
        type: 'file',
        class: 'visually-hidden',
        tabindex: -1,
        'aria-hidden': 'true',
      });
      picker.addEventListener('change', () => {
        const file = picker.files?.[0];
        picker.value = '';
        if (file) void replaceContent(binary, file);
      });
      actions.append(
        picker,
        h('button', { type: 'button', class: 'small', onclick: () => picker.click() }, 'Replace'),
        h('button', { type: 'button', class: 'small', onclick: () => void edit(binary) }, 'Edit'),
        h('button', { type: 'button', class: 'small danger', onclick: () => void remove(binary) }, 'Delete'),
      );
    }
    return h(
      'tr',
      {},
      h('td', { class: 'check' }, box),
      h('td', { class: 'name' }, binary.name),
      h('td', {}, binary.type ?? ''),
      h('td', { class: 'number' }, humanSize(binary.length)),
      h('td', {}, binary.owner ?? ''),
      h('td', {}, humanDate(binary.lastUpdated)),
      actions,
    );
  }

  /** @param {Binary} binary */
  async function remove(binary) {
    if (!(await confirmDialog('Delete file', `Delete “${binary.name}”? This cannot be undone.`))) return;
    try {
      await request('DELETE', `/inventory/binaries/${encodeURIComponent(binary.id)}`);
    } catch (error) {
      replace(errors, alertBox(messageOf(error)));
      return;
    }
    await load();
  }

  async function deleteSelected() {
    const ids = [...selected];
    const names = rows.filter((binary) => selected.has(binary.id)).map((binary) => binary.name);
    const confirmed = await confirmDialog(
      `Delete ${ids.length} ${ids.length === 1 ? 'file' : 'files'}`,
      `Delete ${names.join(', ')}? This cannot be undone.`,
    );
    if (!confirmed) return;
    const failures = [];
    for (const id of ids) {
      try {
        await request('DELETE', `/inventory/binaries/${encodeURIComponent(id)}`);
      } catch (error) {
        failures.push(messageOf(error));
      }
    }
    await load();
    if (failures.length > 0)
      replace(errors, alertBox(`${failures.length} not deleted: ${failures.join('; ')}`));
  }

  /** @param {Binary} binary */
  async function edit(binary) {
    const current = await get(`/inventory/managedObjects/${encodeURIComponent(binary.id)}`);
    /** @type {Record<string, unknown>} */
    const fragments = {};
    for (const [key, value] of Object.entries(current)) if (!STANDARD_FIELDS.has(key)) fragments[key] = value;
    const name = h('input', { type: 'text', value: current.name ?? '', required: true });
    const type = h('input', { type: 'text', value: current.type ?? '' });
    const custom = h('textarea', { rows: 8, spellcheck: 'false' });
    custom.value = JSON.stringify(fragments, null, 2);
    const saved = await formDialog(
      `Edit ${binary.name}`,
      [field('Name', name), field('Type', type), field('Custom fragments (JSON)', custom)],
      async () => {
        /** @type {Record<string, unknown>} */
        let edited;
        try {
          edited = JSON.parse(custom.value || '{}');
          if (typeof edited !== 'object' || edited === null || Array.isArray(edited)) throw new Error();
        } catch {
          throw new Error('Custom fragments must be a JSON object');
        }
        /** @type {Record<string, unknown>} */
        const body = { name: name.value, type: type.value };
        for (const key of Object.keys(fragments)) if (!(key in edited)) body[key] = null;
        Object.assign(body, edited);
        await request('PUT', `/inventory/managedObjects/${encodeURIComponent(binary.id)}`, { json: body });
        return true;
      },
    );
    if (saved) await load();
  }

  void load();
  return () => {
    document.removeEventListener('dragover', onDragOver);
    document.removeEventListener('dragleave', onDragLeave);
    document.removeEventListener('drop', onDrop);
  };
}
