import type { Client } from '@c8y/client';
import { startTestApp, type TestApp } from '../support/test-app';
import { adminC8yClient } from '../support/c8y-client';
import { activeFilesOf, activeVersionOf, createHostedAppWithFiles } from '../support/hosted-app-kit';
import { zipOf } from '../support/zip-kit';

// The official Web SDK's ApplicationBinaryService against Depot, exactly as it sends its requests:
// `addPlugin` URL-encodes the name and appends the zip Buffer without a filename, `removePlugin`
// reads the DELETE body as JSON, `updateFiles` names each part after its target path.
describe('@c8y/client ApplicationBinaryService plugins and files', () => {
  let t: TestApp;
  let client: Client;

  beforeAll(async () => {
    t = await startTestApp();
    client = adminC8yClient(t);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('adds, lists and removes plugins and updates files', async () => {
    const app = await createHostedAppWithFiles(t, { 'index.html': 'app' });
    const binary = client.application.binary(app.id);

    const added = await binary.addPlugin(
      'sdk-plugin',
      zipOf({
        'cumulocity.json': JSON.stringify({ name: 'sdk-plugin', package: 'plugin' }),
        'main.js': 'js',
      }),
    );
    expect(added.res.status).toBe(201);
    expect(added.data).toMatchObject({ id: await activeVersionOf(t, app), c8y_IsBinary: {} });

    const { res: listed, data: plugins } = await binary.listPlugins();
    expect(listed.status).toBe(200);
    expect(plugins).toEqual([
      { pluginName: 'sdk-plugin', pluginPackage: { name: 'sdk-plugin', package: 'plugin' } },
    ]);

    const updated = await binary.updateFiles([
      { path: 'index.html', contents: Buffer.from('app v2') },
      { path: 'assets/extra.txt', contents: Buffer.from('extra') },
    ] as never);
    expect(updated.res.status).toBe(201);
    expect(await activeFilesOf(t, app)).toMatchObject({
      'index.html': 'app v2',
      'assets/extra.txt': 'extra',
    });

    const removed = await binary.removePlugin('sdk-plugin');
    expect(removed.res.status).toBe(200);
    expect((removed.data as { id: string }).id).toBe(await activeVersionOf(t, app));
    expect(Object.keys(await activeFilesOf(t, app)).sort()).toEqual(['assets/extra.txt', 'index.html']);
  });

  it('stores an application manifest through updateFiles (storeAppManifest)', async () => {
    const app = await createHostedAppWithFiles(t, { 'index.html': 'app' });
    const manifest = { name: 'with-manifest', version: '1.0.0', description: 'Grüße ✓' };
    const { res } = await client.application.storeAppManifest(app.id, manifest);
    expect(res.status).toBe(201);
    expect(JSON.parse((await activeFilesOf(t, app))['cumulocity.json'])).toEqual(manifest);
  });
});
