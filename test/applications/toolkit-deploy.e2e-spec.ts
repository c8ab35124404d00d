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

// `@c8y/toolkit deploy` (its own code, not a re-implementation) against Depot, twice in a row.
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
  });
  afterAll(async () => {
    jest.restoreAllMocks();
    rmSync(workDir ?? '', { recursive: true, force: true });
    await t?.close();
  });

  const deploy = async (version: string): Promise<void> => {
    const zipPath = path.join(workDir, `toolkit-demo-${version}.zip`);
    writeFileSync(zipPath, builtWebApp(version));
    await deployZipFile(zipPath, {
      url: t.baseUrl,
      user: t.admin.user,
      password: t.admin.password,
      tenant: t.admin.tenant,
    });
  };

  const findDemo = async () => {
    const response = await request(t.server)
      .get('/application/applicationsByName/Toolkit Demo')
      .set('Authorization', t.auth());
    return (response.body as { applications: Record<string, unknown>[] }).applications;
  };

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
