import { Module, type INestApplication } from '@nestjs/common';
import { APP_FILTER, NestFactory } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { CumulocityExceptionFilter, isRole, type Role } from '@depot/common';
import { INVENTORY_MIGRATIONS } from '@depot/inventory';
import { INVENTORY_BINARIES_MIGRATIONS, InventoryBinariesModule } from '@depot/inventory-binaries';
import { StorageModule } from '@depot/storage';
import type { NextFunction, Request, Response } from 'express';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import request from 'supertest';
import { createTestDatabase, dropTestDatabase } from '../support/test-database';

/**
 * A host platform embeds Depot's binaries module with its own TypeORM data source, its own storage
 * settings and its own authentication (here: a header the host trusts). The roles guard and tenant
 * scoping must come along with the module.
 */
function hostAuthentication(req: Request, _res: Response, next: NextFunction): void {
  const header = req.headers['x-host-principal'];
  if (typeof header === 'string') {
    const [tenantId, userName, roles = ''] = header.split(':');
    req.principal = { tenantId, userName, roles: roles.split(',').filter<Role>(isRole) };
  }
  next();
}

describe('embedding Depot modules in a host Nest application', () => {
  let app: INestApplication;
  let databaseUrl: string;
  let blobRoot: string;

  beforeAll(async () => {
    databaseUrl = await createTestDatabase();
    blobRoot = mkdtempSync(path.join(tmpdir(), 'depot-host-'));

    @Module({
      imports: [
        TypeOrmModule.forRoot({
          type: 'postgres',
          url: databaseUrl,
          autoLoadEntities: true,
          migrations: [...INVENTORY_MIGRATIONS, ...INVENTORY_BINARIES_MIGRATIONS],
          migrationsRun: true,
          synchronize: false,
        }),
        StorageModule.forRoot({ driver: 'filesystem', root: blobRoot }),
        InventoryBinariesModule.forRoot({ maxBinarySize: 1024 * 1024, sweeper: { enabled: false } }),
      ],
      providers: [{ provide: APP_FILTER, useClass: CumulocityExceptionFilter }],
    })
    class HostModule {}

    app = await NestFactory.create(HostModule, { logger: ['error'] });
    app.use(hostAuthentication);
    await app.init();
  });

  afterAll(async () => {
    await app?.close();
    if (databaseUrl) await dropTestDatabase(databaseUrl);
    rmSync(blobRoot, { recursive: true, force: true });
  });

  const upload = (principal: string) =>
    request(app.getHttpServer())
      .post('/inventory/binaries')
      .set('X-Host-Principal', principal)
      .set('Accept', 'application/json')
      .field('object', JSON.stringify({ name: 'hello.txt', type: 'text/plain' }))
      .attach('file', Buffer.from('hello'), { filename: 'hello.txt', contentType: 'text/plain' });

  it("uses the host's principal and the module's roles and tenant scoping", async () => {
    const created = await upload('acme:alice:ROLE_INVENTORY_ADMIN');
    expect(created.status).toBe(201);
    expect(created.body.owner).toBe('alice');

    const anonymous = await request(app.getHttpServer()).get(`/inventory/binaries/${created.body.id}`);
    expect(anonymous.status).toBe(401);
    expect(anonymous.body.error).toBe('security/Unauthorized');

    const noRole = await upload('acme:bob:ROLE_INVENTORY_READ');
    expect(noRole.status).toBe(403);

    const sameTenant = await request(app.getHttpServer())
      .get(`/inventory/binaries/${created.body.id}`)
      .set('X-Host-Principal', 'acme:carol:ROLE_INVENTORY_READ');
    expect(sameTenant.status).toBe(200);
    expect(sameTenant.text).toBe('hello');

    const otherTenant = await request(app.getHttpServer())
      .get(`/inventory/binaries/${created.body.id}`)
      .set('X-Host-Principal', 'globex:dave:ROLE_INVENTORY_ADMIN');
    expect(otherTenant.status).toBe(404);
  });
});
