import { readdirSync, statSync } from 'node:fs';
import * as path from 'node:path';
import request from 'supertest';
import type { TestApp } from '../support/test-app';
import { JSON_ACCEPT } from '../support/hosted-app-kit';

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
