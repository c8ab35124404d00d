import type { Response } from 'superagent';
import request from 'supertest';
import { multipartBody, type Part } from './multipart';
import type { TestApp } from './test-app';
import { filesOf, zipOf } from './zip-kit';

/** Hosted applications for e2e suites: created, given archives, read back. */

export const JSON_ACCEPT = 'application/json';

let counter = 0;

/** A fresh, unique application name (also used as key prefix and context path). */
export function uniqueName(prefix = 'app'): string {
  return `${prefix}-${++counter}-${Date.now().toString(36)}`;
}

export interface CreatedApp {
  id: string;
  name: string;
  contextPath: string;
  body: Record<string, unknown>;
}

/** POST /application/applications for a HOSTED application (fails the test on anything but 201). */
export async function createHostedApp(
  t: TestApp,
  overrides: Record<string, unknown> = {},
  auth = t.auth(),
): Promise<CreatedApp> {
  const name = uniqueName();
  const response = await request(t.server)
    .post('/application/applications')
    .set('Authorization', auth)
    .set('Accept', JSON_ACCEPT)
    .send({ name, key: `${name}-key`, type: 'HOSTED', contextPath: name, ...overrides });
  if (response.status !== 201) throw new Error(`create application: ${response.status} ${response.text}`);
  const body = response.body as Record<string, unknown>;
  return { id: body.id as string, name: body.name as string, contextPath: body.contextPath as string, body };
}

/** POST .../binaries with `zip` as the `file` part; returns the supertest response. */
export function uploadArchive(t: TestApp, appId: string, zip: Buffer, auth = t.auth(), fileName = 'app.zip') {
  return request(t.server)
    .post(`/application/applications/${appId}/binaries`)
    .set('Authorization', auth)
    .set('Accept', JSON_ACCEPT)
    .attach('file', zip, { filename: fileName, contentType: 'application/zip' });
}

/** Uploads and expects 201; returns the archive id. */
export async function uploadOk(t: TestApp, appId: string, zip: Buffer): Promise<string> {
  const response = await uploadArchive(t, appId, zip);
  if (response.status !== 201) throw new Error(`upload archive: ${response.status} ${response.text}`);
  return (response.body as { id: string }).id;
}

export interface HostedApp extends CreatedApp {
  /** The archive uploaded first. */
  initialArchiveId: string;
  /** `/application/applications/{id}`. */
  url: string;
}

/** Creates a HOSTED application and uploads a zip of `files` as its first, active archive. */
export async function createHostedAppWithFiles(
  t: TestApp,
  files: Record<string, string | Buffer> = { 'index.html': '<html>app</html>' },
): Promise<HostedApp> {
  const created = await createHostedApp(t);
  const initialArchiveId = await uploadOk(t, created.id, zipOf(files));
  return { ...created, initialArchiveId, url: `/application/applications/${created.id}` };
}

export async function getApp(t: TestApp, appId: string): Promise<Record<string, unknown>> {
  const response = await request(t.server)
    .get(`/application/applications/${appId}`)
    .set('Authorization', t.auth())
    .set('Accept', JSON_ACCEPT);
  if (response.status !== 200) throw new Error(`get application: ${response.status} ${response.text}`);
  return response.body as Record<string, unknown>;
}

export async function activeVersionOf(t: TestApp, app: { id: string }): Promise<string | null> {
  return ((await getApp(t, app.id)).activeVersionId as string | null | undefined) ?? null;
}

/** Ids of the application's archives, via GET .../binaries. */
export async function archiveIds(t: TestApp, appId: string): Promise<string[]> {
  const response = await request(t.server)
    .get(`/application/applications/${appId}/binaries`)
    .set('Authorization', t.auth())
    .set('Accept', JSON_ACCEPT);
  if (response.status !== 200) throw new Error(`list archives: ${response.status} ${response.text}`);
  return (response.body as { attachments: { id: string }[] }).attachments.map((attachment) => attachment.id);
}

/** A supertest parser that keeps a response body as bytes: `.buffer(true).parse(asBytes)`. */
export function asBytes(res: Response, done: (error: Error | null, body: Buffer) => void): void {
  const chunks: Buffer[] = [];
  res.on('data', (chunk: Buffer) => chunks.push(chunk));
  res.on('end', () => done(null, Buffer.concat(chunks)));
}

export async function downloadArchive(t: TestApp, app: { id: string }, archiveId: string): Promise<Buffer> {
  const response = await request(t.server)
    .get(`/application/applications/${app.id}/binaries/${archiveId}`)
    .set('Authorization', t.auth())
    .buffer(true)
    .parse(asBytes);
  if (response.status !== 200) throw new Error(`download archive: ${response.status}`);
  return response.body as Buffer;
}

/** Files of the active version. */
export async function activeFilesOf(t: TestApp, app: { id: string }): Promise<Record<string, string>> {
  const active = await activeVersionOf(t, app);
  if (!active) throw new Error('no active version');
  return filesOf(await downloadArchive(t, app, active));
}

/** The state a rejected change must leave alone: active version, archives and their content. */
export async function snapshotOf(t: TestApp, app: { id: string }): Promise<unknown> {
  return {
    active: await activeVersionOf(t, app),
    archives: await archiveIds(t, app.id),
    files: await activeFilesOf(t, app),
  };
}

/** `POST .../binaries/files` of these raw parts (each part's field name, or its filename, is the path). */
export function writeFiles(t: TestApp, app: { url: string }, parts: Part[]): request.Test {
  const { body, contentType } = multipartBody(parts);
  return request(t.server)
    .post(`${app.url}/binaries/files`)
    .set('Authorization', t.auth())
    .set('Accept', JSON_ACCEPT)
    .set('Content-Type', contentType)
    .send(body);
}
