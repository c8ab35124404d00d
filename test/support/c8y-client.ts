import { BasicAuth, Client } from '@c8y/client';
import type { TestApp } from './test-app';

/** The official Web SDK client, logged in as the test app's bootstrap admin. */
export function adminC8yClient(t: TestApp): Client {
  return new Client(
    new BasicAuth({ tenant: t.admin.tenant, user: t.admin.user, password: t.admin.password }),
    t.baseUrl,
  );
}
