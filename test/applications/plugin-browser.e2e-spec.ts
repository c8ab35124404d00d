import type { Browser } from 'playwright-core';
import { launchChromium } from '../support/browser';
import { createHostedApp, uploadOk } from '../support/hosted-app-kit';
import { cookieLogin } from '../support/session-kit';
import { startTestApp, type TestApp } from '../support/test-app';
import { zipOf } from '../support/zip-kit';
import { postVersionOk } from './versions-test-kit';

/**
 * A plugin's remoteEntry.js as module federation builds it (`publicPath: 'auto'`): it finds its own
 * URL in `document.currentScript.src` and loads its chunk relative to it.
 */
function remoteEntry(): string {
  return `(function () {
  var base = document.currentScript.src.replace(/[^/]*$/, '');
  var chunk = document.createElement('script');
  chunk.src = base + '42.js';
  document.head.appendChild(chunk);
})();`;
}

function plugin(version: string): Buffer {
  return zipOf({
    'remoteEntry.js': remoteEntry(),
    '42.js': `document.getElementById('out').textContent = 'plugin ${version} from ' + new URL(document.currentScript.src).pathname;`,
    'cumulocity.json': JSON.stringify({ isPackage: true, package: 'plugin', version }),
  });
}

// A real browser loads a shell whose page pulls in a plugin by version, the way Web SDK shells do.
describe('a shell loads a plugin by version in Chromium', () => {
  let t: TestApp;
  let browser: Browser;

  beforeAll(async () => {
    t = await startTestApp();
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('runs /apps/plugin@1.0.0/remoteEntry.js and its chunk from the same version, not the active one', async () => {
    const pluginApp = await createHostedApp(t, { contextPath: 'plugin', manifest: { isPackage: true } });
    await postVersionOk(t, pluginApp.id, '1.0.0', [], plugin('1.0.0'));
    // 2.0.0 is latest, so the active version (/apps/plugin/) is not the one the shell asks for.
    await postVersionOk(t, pluginApp.id, '2.0.0', ['latest'], plugin('2.0.0'));
    const shell = await createHostedApp(t, { contextPath: 'shell' });
    await uploadOk(
      t,
      shell.id,
      zipOf({
        'index.html': `<!doctype html><html><head><title>shell</title></head><body>
<p id="out"></p>
<script>
  var entry = document.createElement('script');
  entry.src = '/apps/plugin@1.0.0/remoteEntry.js?nocache=' + Date.now();
  document.head.appendChild(entry);
</script>
</body></html>`,
      }),
    );

    // A browser opening a hosted page without credentials is sent to the login; with the session
    // cookie of a login (as the console gets it) the page and its scripts load.
    const session = await cookieLogin(t);
    const context = await browser.newContext();
    await context.addCookies([{ name: 'authorization', value: session.token, url: t.baseUrl }]);
    try {
      const page = await context.newPage();
      const requested: string[] = [];
      page.on('requestfinished', (finished) => requested.push(new URL(finished.url()).pathname));
      const response = await page.goto(`${t.baseUrl}/apps/shell/`);
      expect(response?.status()).toBe(200);
      await page.locator('#out', { hasText: 'plugin' }).waitFor();
      expect(await page.textContent('#out')).toBe('plugin 1.0.0 from /apps/plugin@1.0.0/42.js');
      expect(requested).toEqual(
        expect.arrayContaining(['/apps/plugin@1.0.0/remoteEntry.js', '/apps/plugin@1.0.0/42.js']),
      );
    } finally {
      await context.close();
    }
  });
});
