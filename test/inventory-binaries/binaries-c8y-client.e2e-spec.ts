import type { Client } from '@c8y/client';
import { randomContent } from './binaries-test-kit';
import { startTestApp, type TestApp } from '../support/test-app';
import { adminC8yClient } from '../support/c8y-client';

// The official Web SDK client against Depot: its upload sends `file` before `object`.
describe('@c8y/client InventoryBinaryService', () => {
  let app: TestApp;
  let client: Client;

  beforeAll(async () => {
    app = await startTestApp();
    client = adminC8yClient(app);
  });
  afterAll(async () => {
    await app?.close();
  });

  it('creates, lists, downloads and deletes a binary', async () => {
    const content = randomContent(100_000);
    const { data: created, res } = await client.inventoryBinary.create(content, {
      name: 'from-sdk.bin',
      fileType: 'application/x-test',
      c8y_Source: { sdk: true },
    });
    expect(res.status).toBe(201);
    expect(created).toMatchObject({
      name: 'from-sdk.bin',
      c8y_IsBinary: {},
      length: content.length,
      c8y_Source: { sdk: true },
    });
    expect(client.inventoryBinary.getIdFromUrl(created.self as string)).toBe(created.id);

    const { data: listed } = await client.inventoryBinary.list({ pageSize: 10 });
    expect(listed.map((object) => object.id)).toContain(created.id);

    const download = await client.inventoryBinary.download(created);
    expect(download.status).toBe(200);
    expect(Buffer.compare(Buffer.from(await download.arrayBuffer()), content)).toBe(0);

    const { res: deleted } = await client.inventoryBinary.delete(created);
    expect(deleted.status).toBe(204);
    // The client throws `{res, data}` for error statuses.
    await expect(client.inventoryBinary.download(created)).rejects.toMatchObject({
      res: { status: 404 },
      data: { error: 'inventory/Not Found' },
    });
  });
});
