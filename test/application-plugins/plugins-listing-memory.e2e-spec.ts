import { randomBytes } from 'node:crypto';
import request from 'supertest';
import { createHostedApp, JSON_ACCEPT, uploadOk } from '../support/hosted-app-kit';
import { startTestApp, type TestApp } from '../support/test-app';
import { buildRawZip } from '../support/zip-kit';

const MiB = 1024 * 1024;
const LISTINGS = 20;

/**
 * Listing plugins reads the archive's central directory and the plugins' manifests in byte ranges:
 * its memory must not depend on the archive's size. Reading the whole archive per listing (as it
 * once did) took 20 concurrent listings of a 40 MiB archive from 366 to 1,154 MiB RSS.
 */
describe('GET .../binaries/plugins on a large archive', () => {
  let t: TestApp;
  let url: string;

  beforeAll(async () => {
    t = await startTestApp();
    const app = await createHostedApp(t);
    url = `/application/applications/${app.id}/binaries/plugins`;
    await uploadOk(
      t,
      app.id,
      buildRawZip([
        { name: 'index.html', data: '<html></html>' },
        { name: 'alpha/cumulocity.json', data: '{"name":"alpha","isPackage":true}' },
        { name: 'alpha/a.js', data: 'a' },
        // Random bytes do not deflate: the archive really is 40 MiB.
        { name: 'assets/big.bin', data: randomBytes(40 * MiB), method: 0 },
        { name: 'beta/cumulocity.json', data: '{"name":"beta","version":"1.2.3"}' },
        { name: 'gamma/g.js', data: 'g' },
      ]),
    );
  });
  afterAll(async () => {
    await t?.close();
  });

  const list = () => request(t.server).get(url).set('Authorization', t.auth()).set('Accept', JSON_ACCEPT);

  it('lists the plugins with their manifests', async () => {
    const response = await list();
    expect(response.status).toBe(200);
    expect(response.body).toEqual([
      { pluginName: 'alpha', pluginPackage: { name: 'alpha', isPackage: true } },
      { pluginName: 'assets' },
      { pluginName: 'beta', pluginPackage: { name: 'beta', version: '1.2.3' } },
      { pluginName: 'gamma' },
    ]);
  });

  it(`costs memory independent of the archive size: ${LISTINGS} concurrent listings of 40 MiB`, async () => {
    await list().expect(200); // warm
    await new Promise((resolve) => setTimeout(resolve, 200));
    const before = process.memoryUsage().rss;
    let peak = before;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 2);
    try {
      const responses = await Promise.all(Array.from({ length: LISTINGS }, () => list()));
      for (const response of responses) expect((response.body as unknown[]).length).toBe(4);
    } finally {
      clearInterval(sampler);
    }
    peak = Math.max(peak, process.memoryUsage().rss);
    const grownMiB = (peak - before) / MiB;
    // Whole-archive reads would need at least LISTINGS x 40 MiB; ranged reads need well under 1 MiB each.
    expect(grownMiB).toBeLessThan(64);
  });
});
