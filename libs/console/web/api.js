// @ts-check
/**
 * The console's only backend: Depot's public REST API, same origin, authenticated by the session
 * cookie. Unsafe methods echo the `XSRF-TOKEN` cookie in `X-XSRF-TOKEN`, as Cumulocity's clients do.
 */

export const JSON_TYPE = 'application/json';

/** Marks a script request, so a 401 carries no Basic challenge (no browser password dialog). */
export const SCRIPT_HEADERS = Object.freeze({ 'X-Requested-With': 'XMLHttpRequest' });

/** An answer other than 2xx, with the server's Cumulocity error message. */
export class ApiError extends Error {
  /**
   * @param {number} status
   * @param {string} message
   */
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

/** The value of the `XSRF-TOKEN` cookie, if the session set one. */
export function xsrfToken() {
  for (const pair of document.cookie.split(';')) {
    const [name, ...value] = pair.trim().split('=');
    if (name === 'XSRF-TOKEN') return decodeURIComponent(value.join('='));
  }
  return undefined;
}

/**
 * @param {string} method
 * @returns {Record<string, string>}
 */
function csrfHeaders(method) {
  const token = xsrfToken();
  return method === 'GET' || method === 'HEAD' || !token ? {} : { 'X-XSRF-TOKEN': token };
}

/**
 * The message of a Cumulocity error body, else the status line.
 * @param {number} status
 * @param {string} text
 */
export function errorMessage(status, text) {
  try {
    const body = JSON.parse(text);
    if (body && typeof body.message === 'string' && body.message) return body.message;
  } catch {
    // not JSON
  }
  return `The server answered ${status}${text ? `: ${text.slice(0, 200)}` : ''}`;
}

/**
 * One JSON (or form, or empty) request; resolves with the parsed body (undefined when empty).
 * @param {string} method
 * @param {string} url
 * @param {{ json?: unknown, form?: Record<string, string>, body?: BodyInit }} [options]
 * @returns {Promise<any>}
 */
export async function request(method, url, options = {}) {
  /** @type {Record<string, string>} */
  const headers = { Accept: JSON_TYPE, ...SCRIPT_HEADERS, ...csrfHeaders(method) };
  /** @type {BodyInit | undefined} */
  let body = options.body;
  if (options.json !== undefined) {
    headers['Content-Type'] = JSON_TYPE;
    body = JSON.stringify(options.json);
  } else if (options.form) {
    body = new URLSearchParams(options.form);
  }
  const response = await fetch(url, { method, headers, body, credentials: 'same-origin' });
  const text = await response.text();
  if (!response.ok) {
    if (response.status === 401) window.dispatchEvent(new CustomEvent('depot:unauthorized'));
    throw new ApiError(response.status, errorMessage(response.status, text));
  }
  return text ? JSON.parse(text) : undefined;
}

/** @param {string} url */
export const get = (url) => request('GET', url);

/**
 * A query string from the defined values.
 * @param {Record<string, string | number | boolean | undefined>} params
 */
export function query(params) {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(params))
    if (value !== undefined && value !== '') search.set(name, String(value));
  const text = search.toString();
  return text ? `?${text}` : '';
}

/**
 * @typedef {object} Upload
 * @property {Promise<any>} done resolves with the parsed answer, rejects with an ApiError
 * @property {() => void} abort
 */

/**
 * An upload through XMLHttpRequest, the one browser API that reports upload progress.
 * @param {string} method
 * @param {string} url
 * @param {XMLHttpRequestBodyInit} body
 * @param {(loaded: number, total: number) => void} onProgress
 * @param {string} [contentType] for a raw body (a FormData sets its own)
 * @returns {Upload}
 */
export function upload(method, url, body, onProgress, contentType) {
  const xhr = new XMLHttpRequest();
  const done = new Promise((resolve, reject) => {
    xhr.open(method, url);
    xhr.setRequestHeader('Accept', JSON_TYPE);
    for (const [name, value] of Object.entries({ ...SCRIPT_HEADERS, ...csrfHeaders(method) }))
      xhr.setRequestHeader(name, value);
    if (contentType) xhr.setRequestHeader('Content-Type', contentType);
    xhr.upload.addEventListener('progress', (event) => onProgress(event.loaded, event.total));
    xhr.addEventListener('load', () => {
      if (xhr.status >= 200 && xhr.status < 300) {
        resolve(xhr.responseText ? JSON.parse(xhr.responseText) : undefined);
      } else {
        reject(new ApiError(xhr.status, errorMessage(xhr.status, xhr.responseText)));
      }
    });
    xhr.addEventListener('error', () => reject(new ApiError(0, 'The upload failed: the connection broke')));
    xhr.addEventListener('abort', () => reject(new ApiError(0, 'Cancelled')));
    xhr.send(body);
  });
  return { done, abort: () => xhr.abort() };
}

/**
 * @typedef {object} Session
 * @property {string} tenant
 * @property {string} userName
 * @property {string} displayName
 * @property {Set<string>} roles
 */

/** @returns {Promise<Session>} */
export async function loadSession() {
  const [user, tenant] = await Promise.all([get('/user/currentUser'), get('/tenant/currentTenant')]);
  const displayName = [user.firstName, user.lastName].filter(Boolean).join(' ') || user.userName;
  /** @type {{ id: string }[]} */
  const effectiveRoles = user.effectiveRoles ?? [];
  return {
    tenant: tenant.name,
    userName: user.userName,
    displayName,
    roles: new Set(effectiveRoles.map((role) => role.id)),
  };
}

/**
 * @param {Session} session
 * @param {...string} roles the short names, e.g. `INVENTORY_ADMIN`
 */
export function hasRole(session, ...roles) {
  return roles.some((role) => session.roles.has(`ROLE_${role}`));
}
