import request from 'supertest';
import type { TestApp } from './test-app';

/** A browser-style session from `POST /tenant/oauth`: what a browser would send back. */
export interface CookieSession {
  /** `authorization=...; XSRF-TOKEN=...` for a `Cookie` header. */
  cookie: string;
  token: string;
  xsrf: string;
  /** The raw `Set-Cookie` headers, in order. */
  setCookie: string[];
}

export function loginForm(user: string, password: string): string {
  return new URLSearchParams({ grant_type: 'PASSWORD', username: user, password }).toString();
}

/** The value of cookie `name` among `Set-Cookie` headers. */
export function setCookieValue(setCookie: string[], name: string): string | undefined {
  const line = setCookie.find((header) => header.startsWith(`${name}=`));
  return line?.slice(name.length + 1).split(';')[0];
}

/** Posts the login form to `path` (a `POST /tenant/oauth...` endpoint); fails the test on anything but 200. */
async function postLoginForm(
  t: TestApp,
  path: string,
  user: string,
  password: string,
  tenant: string,
): Promise<request.Response> {
  const response = await request(t.server)
    .post(`${path}?tenant_id=${encodeURIComponent(tenant)}`)
    .type('form')
    .send(loginForm(user, password));
  if (response.status !== 200) throw new Error(`login at ${path}: ${response.status} ${response.text}`);
  return response;
}

/** Logs in with the OAuth-internal form and returns the cookies (fails the test on anything but 200). */
export async function cookieLogin(
  t: TestApp,
  user = t.admin.user,
  password = t.admin.password,
  tenant = t.admin.tenant,
): Promise<CookieSession> {
  const response = await postLoginForm(t, '/tenant/oauth', user, password, tenant);
  const setCookie = ([] as string[]).concat(response.headers['set-cookie'] ?? []);
  const token = setCookieValue(setCookie, 'authorization') ?? '';
  const xsrf = setCookieValue(setCookie, 'XSRF-TOKEN') ?? '';
  return { cookie: `authorization=${token}; XSRF-TOKEN=${xsrf}`, token, xsrf, setCookie };
}

/** `POST /tenant/oauth/token`: a bearer token. */
export async function bearerLogin(
  t: TestApp,
  user = t.admin.user,
  password = t.admin.password,
  tenant = t.admin.tenant,
): Promise<string> {
  const response = await postLoginForm(t, '/tenant/oauth/token', user, password, tenant);
  return (response.body as { access_token: string }).access_token;
}
