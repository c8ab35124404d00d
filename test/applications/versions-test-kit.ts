import request from 'supertest';
import { JSON_ACCEPT } from '../support/hosted-app-kit';
import { multipartBody, type Part } from '../support/multipart';
import type { TestApp } from '../support/test-app';
import { zipOf } from '../support/zip-kit';

/** Versions of hosted applications (packages) for e2e suites. */

export const VERSION_ACCEPT =
  'application/vnd.com.nsn.cumulocity.applicationVersion+json;charset=UTF-8;ver=0.9';

/** A UI plugin package as the Web SDK builds it: remoteEntry.js, a chunk, cumulocity.json (no index.html). */
export function pluginZip(
  version: string,
  extra: Record<string, string | Buffer> = {},
  manifest: Record<string, unknown> = {},
): Buffer {
  return zipOf({
    'remoteEntry.js': `var plugin = { version: ${JSON.stringify(version)} };`,
    '42.js': `/* chunk of ${version} */`,
    'cumulocity.json': JSON.stringify({ isPackage: true, package: 'plugin', version, ...manifest }),
    ...extra,
  });
}

export interface VersionUpload {
  /** The `applicationVersion` JSON; omitted: no such part. */
  applicationVersion?: Record<string, unknown>;
  /** The `applicationBinary` part's filename; `null`: none (and no Content-Type). */
  filename?: string | null;
  fileName?: string;
  /** The caller (default: the bootstrap admin). */
  auth?: string;
}

/** POST .../versions with raw multipart parts, in the toolkit's order. */
export function postVersion(
  t: TestApp,
  appId: string,
  zip: Buffer,
  upload: VersionUpload = {},
): request.Test {
  const filename = upload.filename === undefined ? 'plugin.zip' : upload.filename;
  const parts: Part[] = [
    filename === null
      ? { name: 'applicationBinary', body: zip }
      : { name: 'applicationBinary', filename, contentType: 'application/zip', body: zip },
  ];
  if (upload.fileName !== undefined) parts.push({ name: 'fileName', body: upload.fileName });
  if (upload.applicationVersion !== undefined)
    parts.push({ name: 'applicationVersion', body: JSON.stringify(upload.applicationVersion) });
  const { body, contentType } = multipartBody(parts);
  return request(t.server)
    .post(`/application/applications/${appId}/versions`)
    .set('Authorization', upload.auth ?? t.auth())
    .set('Accept', VERSION_ACCEPT)
    .set('Content-Type', contentType)
    .send(body);
}

/** Posts a version and expects 201; returns `{version, binaryId, tags}`. */
export async function postVersionOk(
  t: TestApp,
  appId: string,
  version: string,
  tags: string[] = [],
  zip = pluginZip(version),
): Promise<{ version: string; binaryId: string; tags: string[] }> {
  const response = await postVersion(t, appId, zip, { applicationVersion: { version, tags } });
  if (response.status !== 201) throw new Error(`post version: ${response.status} ${response.text}`);
  return response.body as { version: string; binaryId: string; tags: string[] };
}

/** GET .../versions: the `applicationVersions` list. */
export async function versionsOf(
  t: TestApp,
  appId: string,
): Promise<Array<{ version: string; binaryId: string; tags: string[] }>> {
  const response = await request(t.server)
    .get(`/application/applications/${appId}/versions`)
    .set('Authorization', t.auth())
    .set('Accept', JSON_ACCEPT);
  if (response.status !== 200) throw new Error(`list versions: ${response.status} ${response.text}`);
  return (
    response.body as { applicationVersions: Array<{ version: string; binaryId: string; tags: string[] }> }
  ).applicationVersions;
}
