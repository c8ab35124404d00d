import { ApplicationType, type Client, type IApplication } from '@c8y/client';
import { adminC8yClient } from '../support/c8y-client';
import { uniqueName } from '../support/hosted-app-kit';
import { startTestApp, type TestApp } from '../support/test-app';
import { pluginZip, VERSION_ACCEPT } from './versions-test-kit';

/** What a rejected @c8y/client call throws. */
interface ClientFailure {
  res: { status: number };
  data: { error?: string };
}

async function statusOf(call: Promise<unknown>): Promise<number> {
  try {
    await call;
    return 200;
  } catch (error) {
    return (error as ClientFailure).res.status;
  }
}

// go-c8y-cli's tests/manual/ui/plugins/crud.sh round trip, through the official Web SDK client, with the
// upload overrides @c8y/toolkit uses for packages.
describe('@c8y/client: versions of a plugin package', () => {
  let t: TestApp;
  let client: Client;
  let plugin: IApplication;

  beforeAll(async () => {
    t = await startTestApp();
    client = adminC8yClient(t);
    const name = uniqueName('crud');
    const { data } = await client.application.create({
      name,
      key: `${name}-key`,
      contextPath: name,
      type: ApplicationType.HOSTED,
      manifest: { isPackage: true, package: 'plugin' },
    });
    plugin = data;
  });
  afterAll(async () => {
    await t?.close();
  });

  const upload = (version: string, tags: string[]) =>
    client.application.binary(plugin).upload(pluginZip(version), `${version}.zip`, {
      listUrl: 'versions',
      headers: { Accept: VERSION_ACCEPT },
      bodyFileProperty: 'applicationBinary',
      requestBody: { applicationVersion: { version, tags } },
    });
  const byTag = async (tag: string): Promise<{ status: number; version?: string }> => {
    const res = await client.core.fetch(`/application/applications/${plugin.id}/versions?tag=${tag}`, {
      headers: { accept: VERSION_ACCEPT },
    });
    return res.status === 200
      ? { status: 200, version: ((await res.json()) as { version: string }).version }
      : { status: res.status };
  };
  const versions = async () => (await client.application.listVersions(plugin)).data;

  it('lists no versions through the client before the first upload (its 404 fallback)', async () => {
    expect(await versions()).toEqual([]);
  });

  it('runs the crud round trip', async () => {
    const first = await upload('1.0.1', []);
    expect(first.res.status).toBe(201);
    expect(first.data).toMatchObject({ version: '1.0.1', tags: ['latest'] });
    const second = await upload('1.0.2', ['latest']);
    expect(second.data).toMatchObject({ version: '1.0.2', tags: ['latest'] });
    expect(await byTag('latest')).toEqual({ status: 200, version: '1.0.2' });

    const { data: retagged } = await client.application.setPackageVersionTag(plugin, '1.0.1', [
      'latest',
      'v1-info',
    ]);
    expect(retagged).toMatchObject({ version: '1.0.1', tags: ['latest', 'v1-info'] });
    expect(await byTag('latest')).toEqual({ status: 200, version: '1.0.1' });
    expect(await byTag('v1-info')).toEqual({ status: 200, version: '1.0.1' });
    const { data: app } = await client.application.detail(plugin);
    expect(app.activeVersionId).toBe((first.data as unknown as { binaryId: string }).binaryId);

    const { res: deleted } = await client.application.deleteVersionPackage(plugin, { version: '1.0.2' });
    expect(deleted.status).toBe(204);
    expect(await byTag('1.0.2')).toEqual({ status: 404 });
    expect(await statusOf(client.application.deleteVersionPackage(plugin, { version: '1.0.1' }))).toBe(409);
    expect(await versions()).toEqual([
      { version: '1.0.1', binaryId: expect.any(String), tags: ['latest', 'v1-info'] },
    ]);
  });

  it('clones the package', async () => {
    const { res, data: clone } = await client.application.clone(plugin);
    expect(res.status).toBe(201);
    expect(clone).toMatchObject({
      name: `clone${plugin.name}`,
      contextPath: `clone${plugin.contextPath}`,
      applicationVersions: [{ version: '1.0.1', tags: ['latest'] }],
    });
    const { data: cloneOfVersion } = await client.application.clone(plugin, 'v1-info');
    expect(cloneOfVersion.name).toBe(`clone1${plugin.name}`);
  });
});
