import request from 'supertest';
import { DataSource } from 'typeorm';
import { startTestApp, type TestApp } from '../support/test-app';

describe('unexpected errors', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ LOG_LEVEL: 'fatal' });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('answer a generic 500 with a request id and no internal detail', async () => {
    // Break the schema under the running server: the next login query fails inside PostgreSQL.
    await t.app.get(DataSource).query('ALTER TABLE "users" RENAME TO "users_gone"');
    const response = await request(t.server)
      .get('/user/currentUser')
      .set('Authorization', t.auth())
      .set('X-Request-Id', 'trace-500');
    expect(response.status).toBe(500);
    expect(response.headers['content-type']).toMatch(/^application\/vnd\.com\.nsn\.cumulocity\.error\+json/);
    expect(response.body).toEqual({
      error: 'general/Internal Server Error',
      message: 'Unexpected server error (request id trace-500)',
      info: expect.any(String),
      requestId: 'trace-500',
    });
    expect(response.text).not.toContain('users');
  });
});
