// @ts-check
/** DOM building blocks of the console: elements, dialogs, alerts and formatting. */

/**
 * @typedef {string | number | Node | null | undefined | false} Child
 * @typedef {Record<string, string | number | boolean | null | undefined | EventListener>} Attributes
 */

/**
 * Creates an element: attributes named `on...` become listeners, `true` makes a boolean attribute,
 * `false`/`null`/`undefined` leave it out; children are nodes or text.
 * @template {keyof HTMLElementTagNameMap} K
 * @param {K} tag
 * @param {Attributes} [attributes]
 * @param {...(Child | Child[])} children
 * @returns {HTMLElementTagNameMap[K]}
 */
export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (typeof value === 'function') element.addEventListener(name.slice(2).toLowerCase(), value);
    else if (value === true) element.setAttribute(name, '');
    else element.setAttribute(name, String(value));
  }
  append(element, children);
  return element;
}

/**
 * @param {Element} parent
 * @param {(Child | Child[])[]} children
 */
export function append(parent, children) {
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    parent.append(typeof child === 'number' ? String(child) : child);
  }
}

/**
 * Replaces an element's content.
 * @param {Element} parent
 * @param {...(Child | Child[])} children
 */
export function replace(parent, ...children) {
  parent.replaceChildren();
  append(parent, children);
}

/**
 * An error message that screen readers announce.
 * @param {string} message
 */
export function alertBox(message) {
  return h('p', { role: 'alert', class: 'alert' }, message);
}

/**
 * What to show of a thrown value (an `ApiError` carries the server's message).
 * @param {unknown} error
 */
export function messageOf(error) {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Runs `action` when `form` is submitted (instead of a navigation); what it throws is shown in
 * `problem` as an alert, which the next submit clears.
 * @param {HTMLFormElement} form
 * @param {Element} problem
 * @param {() => Promise<void> | void} action
 */
export function onSubmit(form, problem, action) {
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void (async () => {
      replace(problem);
      try {
        await action();
      } catch (error) {
        replace(problem, alertBox(messageOf(error)));
      }
    })();
  });
}

/**
 * A "Create ..." card (a form labelled by its heading): the fields, a Create button and the place
 * for its error; `create` runs on submit.
 * @param {string} title
 * @param {Child[]} fields
 * @param {() => Promise<void>} create
 */
export function createForm(title, fields, create) {
  const problem = h('div');
  const form = h(
    'form',
    { class: 'toolbar card', 'aria-label': title },
    h('h2', {}, title),
    fields,
    h('button', { type: 'submit', class: 'primary' }, 'Create'),
    problem,
  );
  onSubmit(form, problem, create);
  return form;
}

/**
 * A modal dialog (`role="dialog"`, labelled by its title) that traps nothing but closes on Escape
 * and gives the focus back where it was. Resolves with what `build` hands to `close`.
 * @template T
 * @param {string} title
 * @param {(close: (value: T | undefined) => void) => (Child | Child[])[]} build
 * @returns {Promise<T | undefined>}
 */
export function openDialog(title, build) {
  const previous = document.activeElement;
  return new Promise((resolve) => {
    const titleId = `dialog-title-${Math.random().toString(36).slice(2)}`;
    const dialog = h('dialog', { 'aria-labelledby': titleId, class: 'dialog', role: 'dialog' });
    /** @param {T | undefined} value */
    const close = (value) => {
      dialog.close();
      dialog.remove();
      if (previous instanceof HTMLElement) previous.focus();
      resolve(value);
    };
    dialog.addEventListener('cancel', (event) => {
      event.preventDefault();
      close(undefined);
    });
    append(dialog, [h('h2', { id: titleId }, title), ...build(close)]);
    document.body.append(dialog);
    dialog.showModal();
  });
}

/**
 * Asks before something that cannot be undone; resolves true when confirmed.
 * @param {string} title
 * @param {string} message
 * @param {string} [confirmLabel]
 * @returns {Promise<boolean>}
 */
export async function confirmDialog(title, message, confirmLabel = 'Delete') {
  const answer = await openDialog(title, (close) => [
    h('p', {}, message),
    h(
      'div',
      { class: 'actions' },
      h('button', { type: 'button', class: 'danger', onclick: () => close(true) }, confirmLabel),
      h('button', { type: 'button', onclick: () => close(false) }, 'Cancel'),
    ),
  ]);
  return answer === true;
}

/**
 * A dialog holding a form with Save and Cancel. `save` runs on submit: what it throws is shown in
 * the dialog, which stays open; what it returns closes the dialog and is what this resolves with
 * (`undefined` after Cancel or Escape).
 * @template T
 * @param {string} title
 * @param {Child[]} controls
 * @param {() => Promise<T> | T} save
 * @returns {Promise<T | undefined>}
 */
export function formDialog(title, controls, save) {
  return openDialog(title, (close) => {
    const problem = h('div');
    const form = h(
      'form',
      { class: 'stack' },
      controls,
      problem,
      h(
        'div',
        { class: 'actions' },
        h('button', { type: 'submit', class: 'primary' }, 'Save'),
        h('button', { type: 'button', onclick: () => close(undefined) }, 'Cancel'),
      ),
    );
    onSubmit(form, problem, async () => close(await save()));
    return [form];
  });
}

/**
 * A table's head: a column header per title, then a visually hidden "Actions" one.
 * @param {string[]} titles
 * @param {Child} [first] a header cell before the titles (a select-all box)
 */
export function tableHead(titles, first) {
  return h(
    'thead',
    {},
    h(
      'tr',
      {},
      first,
      titles.map((title) => h('th', { scope: 'col' }, title)),
      h('th', { scope: 'col' }, h('span', { class: 'visually-hidden' }, 'Actions')),
    ),
  );
}

const UNITS = ['B', 'KB', 'MB', 'GB', 'TB'];

/**
 * 1536 → "1.5 KB" (binary multiples, as file managers show them).
 * @param {number | undefined} bytes
 */
export function humanSize(bytes) {
  if (bytes === undefined || !Number.isFinite(bytes)) return '';
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(value < 10 ? 1 : 0)} ${UNITS[unit]}`;
}

/** @param {string | undefined} iso */
export function humanDate(iso) {
  if (!iso) return '';
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toLocaleString();
}

/**
 * A file input behind a button-looking label, so the visible control and its accessible name are
 * one (`getByLabel('Upload')`).
 * @param {string} label
 * @param {(files: File[]) => void} onFiles
 * @param {{ multiple?: boolean, accept?: string }} [options]
 */
export function filePicker(label, onFiles, options = {}) {
  const input = h('input', {
    type: 'file',
    class: 'visually-hidden',
    multiple: options.multiple ?? false,
    accept: options.accept,
    'aria-label': label,
  });
  input.addEventListener('change', () => {
    const files = [...(input.files ?? [])];
    input.value = '';
    if (files.length > 0) onFiles(files);
  });
  return h('label', { class: 'button primary' }, input, label);
}

/**
 * A labelled form field.
 * @param {string} label
 * @param {HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement} control
 */
export function field(label, control) {
  return h('label', { class: 'field' }, h('span', {}, label), control);
}
