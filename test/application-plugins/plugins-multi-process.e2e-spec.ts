import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { spawnServer, type SpawnedServer } from '../support/spawn-server';
import { basicAuth } from '../support/test-app';
import { createTestDatabase, dropTestDatabase } from '../support/test-database';
import { entriesOf, filesOf, zipOf } from '../support/zip-kit';

const PLUGINS = 20;
const admin = basicAuth('management', 'admin', 'shared-admin-pw');

interface ArchiveBody {
  id: string;
  depot_ArchiveOrigin: { baseVersionId: string | null; pluginName: string };
}

async function json<T>(response: Response, status: number): Promise<T> {
  const text = await response.text();
  if (response.status !== status) throw new Error(`expected ${status}, got ${response.status}: ${text}`);
  return JSON.parse(text) as T;
}

// The versioning guarantee across processes: two servers on one database and one storage directory
// take 20 concurrent plugin uploads for one application. None may be lost, and the versions must form
// one chain, each built from the one before.
describe('plugin uploads to one application through two server processes', () => {
  const servers: SpawnedServer[] = [];
  let dataDir: string;
  let databaseUrl: string;

  afterAll(async () => {
    for (const server of servers) server.kill('SIGTERM');
    await Promise.all(servers.map((server) => server.exited));
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    if (databaseUrl) await dropTestDatabase(databaseUrl);
  });

  it('keeps every change and builds each version on the previous one', async () => {
    databaseUrl = await createTestDatabase();
    dataDir = mkdtempSync(path.join(tmpdir(), 'depot-plugins-multi-'));
    chmodSync(dataDir, 0o755);
    // Same database, same blob store; retention high enough to keep every version for inspection.
    const env = {
      DATA_DIR: dataDir,
      DATABASE_URL: databaseUrl,
      BOOTSTRAP_PASSWORD: 'shared-admin-pw',
      ARCHIVE_RETENTION: '100',
      LOG_LEVEL: 'warn',
    };
    servers.push(await spawnServer(env));
    servers.push(await spawnServer(env));
    const [first, second] = servers;

    const application = await json<{ id: string }>(
      await fetch(`${first.baseUrl}/application/applications`, {
        method: 'POST',
        headers: { Authorization: admin, 'Content-Type': 'application/json', Accept: 'application/json' },
        body: JSON.stringify({ name: 'shared', key: 'shared-key', type: 'HOSTED', contextPath: 'shared' }),
      }),
      201,
    );
    const appUrl = `/application/applications/${application.id}`;
    const upload = new FormData();
    upload.append('file', new Blob([zipOf({ 'index.html': 'shared app' })]), 'shared.zip');
    const initial = await json<{ id: string }>(
      await fetch(`${second.baseUrl}${appUrl}/binaries`, {
        method: 'POST',
        headers: { Authorization: admin, Accept: 'application/json' },
        body: upload,
      }),
      201,
    );

    const names = Array.from({ length: PLUGINS }, (_, index) => `plugin-${String(index).padStart(2, '0')}`);
    const responses = await Promise.all(
      names.map(async (name, index) => {
        const form = new FormData();
        form.append(
          'file',
          new Blob([zipOf({ [`${name}.js`]: name, 'cumulocity.json': `{"name":"${name}"}` })]),
        );
        const server = servers[index % 2];
        return json<ArchiveBody>(
          await fetch(`${server.baseUrl}${appUrl}/binaries/plugins/${name}`, {
            method: 'POST',
            headers: { Authorization: admin, Accept: 'application/json' },
            body: form,
          }),
          201,
        );
      }),
    );

    // One chain: from the initial archive, every version names the one before as its base.
    const byBase = new Map(responses.map((archive) => [archive.depot_ArchiveOrigin.baseVersionId, archive]));
    expect(byBase.size).toBe(PLUGINS);
    const chain: ArchiveBody[] = [];
    for (let base: string = initial.id; byBase.has(base);) {
      const next = byBase.get(base)!;
      chain.push(next);
      base = next.id;
    }
    expect(chain).toHaveLength(PLUGINS);
    expect(new Set(chain.map((archive) => archive.depot_ArchiveOrigin.pluginName))).toEqual(new Set(names));

    // The final active version is the chain's end and holds all 20 plugins, seen from either process.
    const last = chain[chain.length - 1];
    const current = await json<{ activeVersionId: string }>(
      await fetch(`${first.baseUrl}${appUrl}`, {
        headers: { Authorization: admin, Accept: 'application/json' },
      }),
      200,
    );
    expect(current.activeVersionId).toBe(last.id);
    const plugins = await json<{ pluginName: string }[]>(
      await fetch(`${second.baseUrl}${appUrl}/binaries/plugins`, { headers: { Authorization: admin } }),
      200,
    );
    expect(plugins.map((plugin) => plugin.pluginName)).toEqual(names);
    const download = await fetch(`${first.baseUrl}${appUrl}/binaries/${last.id}`, {
      headers: { Authorization: admin },
    });
    expect(download.status).toBe(200);
    const files = filesOf(Buffer.from(await download.arrayBuffer()));
    expect(files['index.html']).toBe('shared app');
    for (const name of names) expect(files[`${name}/${name}.js`]).toBe(name);
    expect(
      entriesOf(
        Buffer.from(
          await (
            await fetch(`${second.baseUrl}${appUrl}/binaries/${last.id}`, {
              headers: { Authorization: admin },
            })
          ).arrayBuffer(),
        ),
      ),
    ).toHaveLength(1 + 2 * PLUGINS);
  });
});
