import { deployZipFile } from '@c8y/toolkit/dist/utils/deploy';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import request from 'supertest';
import { startTestApp, type TestApp } from '../support/test-app';
import { archiveIds } from '../support/hosted-app-kit';
import { zipOf } from '../support/zip-kit';

/** What `ng build` + the Web SDK's packaging leave in a zip: the app files and cumulocity.json. */
function builtWebApp(version: string): Buffer {
  return zipOf({
    'index.html': `<!doctype html><html><head><script src="main.js"></script></head><body>${version}</body></html>`,
    'main.js': `console.log(${JSON.stringify(version)});`,
    'assets/logo.svg': '<svg xmlns="http://www.w3.org/2000/svg"/>',
    'cumulocity.json': JSON.stringify({
      name: 'Toolkit Demo',
      contextPath: 'toolkit-demo',
      key: 'toolkit-demo-application-key',
      version,
      contentSecurityPolicy: "base-uri 'none'",
      dynamicOptionsUrl: '/apps/public/public-options/options.json',
      icon: { class: 'c8y-icon-modules' },
      noAppSwitcher: false,
    }),
  });
}

const pluginEntry = (version: string): string => `var toolkitPlugin = ${JSON.stringify(version)};`;

/** What the Web SDK packs for a UI plugin: remoteEntry.js and chunks, cumulocity.json with isPackage. */
function pluginPackage(version: string): Buffer {
  return zipOf({
    'remoteEntry.js': pluginEntry(version),
    '42.js': `/* ${version} */`,
    'cumulocity.json': JSON.stringify({
      name: 'Toolkit Plugin',
      contextPath: 'toolkit-plugin',
      key: 'toolkit-plugin-key',
      version,
      isPackage: true,
      package: 'plugin',
      noAppSwitcher: true,
      exports: [{ name: 'Widget', module: 'WidgetModule', path: './src/widget.module.ts' }],
    }),
  });
}

// `@c8y/toolkit deploy` (its own code, not a re-implementation) against Depot.
describe('@c8y/toolkit deploy', () => {
  let t: TestApp;
  let workDir: string;
  let exitSpy: jest.SpyInstance;

  beforeAll(async () => {
    t = await startTestApp();
    workDir = mkdtempSync(path.join(tmpdir(), 'depot-toolkit-'));
    // The toolkit calls process.exit(9) on any server error; make that a test failure instead.
    exitSpy = jest.spyOn(process, 'exit').mockImplementation((code) => {
      throw new Error(`toolkit called process.exit(${String(code)})`);
    });
    jest.spyOn(console, 'log').mockImplementation(() => undefined);
    jest.spyOn(console, 'info').mockImplementation(() => undefined);
    jest.spyOn(console, 'debug').mockImplementation(() => undefined);
    jest.spyOn(console, 'error').mockImplementation(() => undefined);
  });
  afterAll(async () => {
    jest.restoreAllMocks();
    rmSync(workDir ?? '', { recursive: true, force: true });
    await t?.close();
  });

  const deployZip = async (
    zipName: string,
    zip: Buffer,
    options: { tags?: string; rollingTags?: boolean } = {},
  ) => {
    const zipPath = path.join(workDir, zipName);
    writeFileSync(zipPath, zip);
    await deployZipFile(zipPath, {
      url: t.baseUrl,
      user: t.admin.user,
      password: t.admin.password,
      tenant: t.admin.tenant,
      ...options,
    });
  };

  const findByName = async (name: string) => {
    const response = await request(t.server)
      .get(`/application/applicationsByName/${name}`)
      .set('Authorization', t.auth());
    return (response.body as { applications: Record<string, unknown>[] }).applications;
  };

  describe('a web application (no package): /binaries', () => {
    const deploy = (version: string): Promise<void> =>
      deployZip(`toolkit-demo-${version}.zip`, builtWebApp(version));
    const findDemo = () => findByName('Toolkit Demo');

    it('creates the application, uploads and activates the archive', async () => {
      await deploy('1.0.0');
      expect(exitSpy).not.toHaveBeenCalled();
      const [application, ...more] = await findDemo();
      expect(more).toEqual([]);
      expect(application).toMatchObject({
        type: 'HOSTED',
        contextPath: 'toolkit-demo',
        key: 'toolkit-demo-application-key',
        manifest: { version: '1.0.0' },
      });
      const archives = await archiveIds(t, application.id as string);
      expect(archives).toHaveLength(1);
      expect(application.activeVersionId).toBe(archives[0]);
      const served = await request(t.server).get('/apps/toolkit-demo/').set('Authorization', t.auth());
      expect(served.text).toContain('1.0.0');
    });

    it('finds and updates the same application on the second deploy', async () => {
      const [before] = await findDemo();
      await deploy('1.1.0');
      expect(exitSpy).not.toHaveBeenCalled();
      const [application, ...more] = await findDemo();
      expect(more).toEqual([]);
      expect(application.id).toBe(before.id);
      const archives = await archiveIds(t, application.id as string);
      expect(archives).toHaveLength(2);
      expect(application.activeVersionId).toBe(archives[1]);
      expect(application.manifest).toMatchObject({ version: '1.1.0' });
      const served = await request(t.server).get('/apps/toolkit-demo/main.js').set('Authorization', t.auth());
      expect(served.text).toContain('1.1.0');
    });
  });

  describe('a UI plugin package: /versions', () => {
    const deployPlugin = (version: string, options: { tags?: string; rollingTags?: boolean } = {}) =>
      deployZip(`toolkit-plugin-${version}.zip`, pluginPackage(version), options);

    const state = async () => {
      const [application, ...more] = await findByName('Toolkit Plugin');
      expect(more).toEqual([]);
      const versions = application.applicationVersions as Array<{
        version: string;
        binaryId: string;
        tags: string[];
      }>;
      const active = versions.find((version) => version.binaryId === application.activeVersionId);
      return {
        id: application.id as string,
        versions: versions.map(({ version, tags }) => ({ version, tags })),
        active: active?.version,
      };
    };

    it('deploys the first version through /versions, tagged latest and active', async () => {
      await deployPlugin('1.0.0');
      expect(exitSpy).not.toHaveBeenCalled();
      const [application] = await findByName('Toolkit Plugin');
      expect(application).toMatchObject({ isPackage: true, manifest: { isPackage: true, version: '1.0.0' } });
      expect(await state()).toMatchObject({
        versions: [{ version: '1.0.0', tags: ['latest'] }],
        active: '1.0.0',
      });
    });

    it('--tags latest --rolling-tags moves latest and the active version to the new version', async () => {
      await deployPlugin('1.1.0', { tags: 'latest', rollingTags: true });
      expect(exitSpy).not.toHaveBeenCalled();
      expect(await state()).toMatchObject({
        versions: [
          { version: '1.0.0', tags: [] },
          { version: '1.1.0', tags: ['latest'] },
        ],
        active: '1.1.0',
      });
    });

    it('--tags next adds a version without activating it; both are served by version and tag', async () => {
      await deployPlugin('1.2.0', { tags: 'next' });
      expect(exitSpy).not.toHaveBeenCalled();
      expect(await state()).toMatchObject({
        versions: [
          { version: '1.0.0', tags: [] },
          { version: '1.1.0', tags: ['latest'] },
          { version: '1.2.0', tags: ['next'] },
        ],
        active: '1.1.0',
      });
      for (const [at, version] of [
        ['@1.2.0', '1.2.0'],
        ['@next', '1.2.0'],
        ['@latest', '1.1.0'],
        ['', '1.1.0'],
        ['@1.0.0', '1.0.0'],
      ]) {
        const served = await request(t.server)
          .get(`/apps/toolkit-plugin${at}/remoteEntry.js`)
          .set('Authorization', t.auth());
        expect({ at, text: served.text }).toEqual({ at, text: pluginEntry(version) });
      }
    });

    it('fails to redeploy an existing version (409) and changes nothing', async () => {
      const before = await state();
      await expect(deployPlugin('1.1.0', { tags: 'latest', rollingTags: true })).rejects.toThrow(
        'process.exit(9)',
      );
      expect(await state()).toEqual(before);
    });
  });
});
