import { mkdtempSync, rmSync } from 'node:fs';
import * as http from 'node:http';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { spawnServer, type SpawnedServer } from '../support/spawn-server';
import { basicAuth } from '../support/test-app';
import { createTestDatabase, dropTestDatabase } from '../support/test-database';
import { eventually } from '../inventory-binaries/binaries-test-kit';

type LogLine = Record<string, unknown> & { msg?: string; requestId?: string };

const PASSWORD = 'logs-secret-pw-42';

describe('structured logs', () => {
  let server: SpawnedServer;
  let databaseUrl: string;
  let dataDir: string;
  const lines = (): LogLine[] =>
    server
      .output()
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => JSON.parse(line) as LogLine);

  beforeAll(async () => {
    databaseUrl = await createTestDatabase();
    dataDir = mkdtempSync(path.join(tmpdir(), 'depot-logs-'));
    server = await spawnServer({
      DATABASE_URL: databaseUrl,
      DATA_DIR: dataDir,
      BOOTSTRAP_PASSWORD: PASSWORD,
      LOG_LEVEL: 'info',
    });
  });
  afterAll(async () => {
    server?.kill('SIGTERM');
    await server?.exited;
    await dropTestDatabase(databaseUrl);
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('writes one JSON object per line, start-up lines included', () => {
    const all = lines();
    expect(all.length).toBeGreaterThan(5);
    expect(all.find((line) => line.msg?.startsWith('Depot listening on'))).toMatchObject({
      level: 30,
      context: 'Depot',
    });
  });

  it('logs a client aborting a replace as the client’s doing: no error line, no stack', async () => {
    const admin = basicAuth('management', 'admin', PASSWORD);
    const form = new FormData();
    form.append('file', new Blob(['old content']), 'old.txt');
    const created = await fetch(`${server.baseUrl}/inventory/binaries`, {
      method: 'POST',
      headers: { Authorization: admin, Accept: 'application/json' },
      body: form,
    });
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as { id: string };
    const replace = http.request(`${server.baseUrl}/inventory/binaries/${id}`, {
      method: 'PUT',
      headers: {
        Authorization: admin,
        'Content-Type': 'application/octet-stream',
        'Content-Length': '1000000',
        'X-Request-Id': 'logs-abort-1',
      },
    });
    replace.on('error', () => undefined);
    replace.write(Buffer.alloc(64 * 1024, 1));
    await new Promise((resolve) => setTimeout(resolve, 300));
    replace.destroy();
    await eventually(
      () => lines().some((line) => line.requestId === 'logs-abort-1' && line.msg === 'request aborted'),
      'the aborted request line',
    );
    const mentions = lines().filter(
      (line) => line.requestId === 'logs-abort-1' || JSON.stringify(line).includes('logs-abort-1'),
    );
    expect(mentions.filter((line) => Number(line.level) >= 50)).toEqual([]);
  });

  it('tags request and app lines with the request id and redacts credentials', async () => {
    const admin = basicAuth('management', 'admin', PASSWORD);
    const created = await fetch(`${server.baseUrl}/user/management/users`, {
      method: 'POST',
      headers: { Authorization: admin, 'Content-Type': 'application/json' },
      body: JSON.stringify({ userName: 'short-lived', password: 'short-lived-pw' }),
    });
    expect(created.status).toBe(201);
    const deleted = await fetch(`${server.baseUrl}/user/management/users/short-lived`, {
      method: 'DELETE',
      headers: { Authorization: admin, Cookie: 'session=cookie-secret', 'X-Request-Id': 'logs-req-1' },
    });
    expect(deleted.status).toBe(204);
    expect(deleted.headers.get('x-request-id')).toBe('logs-req-1');

    await eventually(
      () => lines().some((line) => line.requestId === 'logs-req-1' && line.msg === 'request completed'),
      'the request line',
    );
    const tagged = lines().filter((line) => line.requestId === 'logs-req-1');
    // The service's own line, written while handling the request, carries the id too.
    expect(tagged.map((line) => line.msg)).toEqual(
      expect.arrayContaining([
        'Deleted user management/short-lived by management/admin',
        'request completed',
      ]),
    );
    const completed = tagged.find((line) => line.msg === 'request completed') as {
      req: { headers: Record<string, string> };
      res: { statusCode: number };
    };
    expect(completed.req.headers.authorization).toBe('[redacted]');
    expect(completed.req.headers.cookie).toBe('[redacted]');
    expect(completed.res.statusCode).toBe(204);

    const output = server.output();
    expect(output).not.toContain(admin.slice('Basic '.length));
    expect(output).not.toContain('cookie-secret');
    expect(output).not.toContain(PASSWORD);
  });
});
