import AdmZip from 'adm-zip';
import { readdirSync, statSync } from 'node:fs';
import * as path from 'node:path';
import request from 'supertest';
import type { TestApp } from '../support/test-app';

export const JSON_ACCEPT = 'application/json';

/** A zip made by an ordinary zip library, with these files (names ending in `/` are directories). */
export function webAppZip(
  files: Record<string, string | Buffer> = { 'index.html': '<html>v1</html>' },
): Buffer {
  const zip = new AdmZip();
  for (const [name, content] of Object.entries(files)) zip.addFile(name, Buffer.from(content));
  return zip.toBuffer();
}

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

export async function getApp(t: TestApp, appId: string): Promise<Record<string, unknown>> {
  const response = await request(t.server)
    .get(`/application/applications/${appId}`)
    .set('Authorization', t.auth())
    .set('Accept', JSON_ACCEPT);
  if (response.status !== 200) throw new Error(`get application: ${response.status} ${response.text}`);
  return response.body as Record<string, unknown>;
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

/** Every managed object of the admin's tenant that is a binary (archives included). */
export async function binaryCount(t: TestApp): Promise<number> {
  const response = await request(t.server)
    .get('/inventory/binaries?pageSize=2000')
    .set('Authorization', t.auth())
    .set('Accept', JSON_ACCEPT);
  if (response.status !== 200) throw new Error(`list binaries: ${response.status} ${response.text}`);
  return (response.body as { managedObjects: unknown[] }).managedObjects.length;
}

/** Every stored blob of the filesystem driver under the app's DATA_DIR (temp files included). */
export function blobFiles(t: TestApp): string[] {
  const found: string[] = [];
  const walk = (dir: string): void => {
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      return;
    }
    for (const name of names) {
      const full = path.join(dir, name);
      if (statSync(full).isDirectory()) walk(full);
      else found.push(full);
    }
  };
  walk(path.join(t.dataDir, 'blobs'));
  return found;
}
