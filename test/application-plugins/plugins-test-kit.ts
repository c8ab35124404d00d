import AdmZip from 'adm-zip';
import request from 'supertest';
import type { TestApp } from '../support/test-app';

export const JSON_ACCEPT = 'application/json';

/** A zip made by an ordinary zip library (adm-zip), with these files. */
export function zipOf(files: Record<string, string | Buffer>): Buffer {
  const zip = new AdmZip();
  for (const [name, content] of Object.entries(files)) zip.addFile(name, Buffer.from(content));
  return zip.toBuffer();
}

/** Files (not directories) of a zip, as text. */
export function filesOf(zip: Buffer): Record<string, string> {
  return Object.fromEntries(
    new AdmZip(zip)
      .getEntries()
      .filter((entry) => !entry.isDirectory)
      .map((entry) => [entry.entryName, entry.getData().toString('utf8')]),
  );
}

export interface HostedApp {
  id: string;
  /** The archive uploaded first. */
  initialArchiveId: string;
  url: string;
}

let counter = 0;

/** Creates a HOSTED application and uploads `files` as its first, active archive. */
export async function createHostedApp(
  t: TestApp,
  files: Record<string, string | Buffer> = { 'index.html': '<html>app</html>' },
): Promise<HostedApp> {
  const name = `plugins-app-${++counter}-${Date.now().toString(36)}`;
  const created = await request(t.server)
    .post('/application/applications')
    .set('Authorization', t.auth())
    .set('Accept', JSON_ACCEPT)
    .send({ name, key: `${name}-key`, type: 'HOSTED', contextPath: name });
  if (created.status !== 201) throw new Error(`create application: ${created.status} ${created.text}`);
  const id = (created.body as { id: string }).id;
  const uploaded = await request(t.server)
    .post(`/application/applications/${id}/binaries`)
    .set('Authorization', t.auth())
    .set('Accept', JSON_ACCEPT)
    .attach('file', zipOf(files), { filename: `${name}.zip`, contentType: 'application/zip' });
  if (uploaded.status !== 201) throw new Error(`upload archive: ${uploaded.status} ${uploaded.text}`);
  return {
    id,
    initialArchiveId: (uploaded.body as { id: string }).id,
    url: `/application/applications/${id}`,
  };
}

export async function activeVersionOf(t: TestApp, app: HostedApp): Promise<string | null> {
  const response = await request(t.server)
    .get(app.url)
    .set('Authorization', t.auth())
    .set('Accept', JSON_ACCEPT);
  if (response.status !== 200) throw new Error(`get application: ${response.status} ${response.text}`);
  return (response.body as { activeVersionId?: string | null }).activeVersionId ?? null;
}

export async function archiveIdsOf(t: TestApp, app: HostedApp): Promise<string[]> {
  const response = await request(t.server).get(`${app.url}/binaries`).set('Authorization', t.auth());
  if (response.status !== 200) throw new Error(`list archives: ${response.status} ${response.text}`);
  return (response.body as { attachments: { id: string }[] }).attachments.map((attachment) => attachment.id);
}

export async function downloadArchive(t: TestApp, app: HostedApp, archiveId: string): Promise<Buffer> {
  const response = await request(t.server)
    .get(`${app.url}/binaries/${archiveId}`)
    .set('Authorization', t.auth())
    .buffer(true)
    .parse((res, done) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => done(null, Buffer.concat(chunks)));
    });
  if (response.status !== 200) throw new Error(`download archive: ${response.status}`);
  return response.body as Buffer;
}

/** Files of the active version. */
export async function activeFilesOf(t: TestApp, app: HostedApp): Promise<Record<string, string>> {
  const active = await activeVersionOf(t, app);
  if (!active) throw new Error('no active version');
  return filesOf(await downloadArchive(t, app, active));
}

/** The state a rejected change must leave alone: active version, archives and their content. */
export async function snapshotOf(t: TestApp, app: HostedApp): Promise<unknown> {
  return {
    active: await activeVersionOf(t, app),
    archives: await archiveIdsOf(t, app),
    files: await activeFilesOf(t, app),
  };
}
