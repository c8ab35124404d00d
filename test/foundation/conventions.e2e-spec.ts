import request from 'supertest';
import { startTestApp, type TestApp } from '../support/test-app';

describe('Cumulocity conventions', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t?.close();
  });

  it('answers an unknown route with a Cumulocity 404 body', async () => {
    const response = await request(t.server).get('/no/such/route').set('Authorization', t.auth());
    expect(response.status).toBe(404);
    expect(response.headers['content-type']).toMatch(/^application\/vnd\.com\.nsn\.cumulocity\.error\+json/);
    expect(response.body).toEqual({
      error: 'general/Not Found',
      message: expect.any(String),
      info: 'https://www.cumulocity.com/guides/reference-guide/#error_reporting',
    });
  });

  it('reports health without credentials', async () => {
    const response = await request(t.server).get('/health');
    expect(response.status).toBe(200);
    expect(response.body.database).toEqual({ status: 'UP' });
  });
});
