import type { Type } from '@nestjs/common';
import { RequestMethod } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { ModulesContainer } from '@nestjs/core';
import request from 'supertest';
import { startTestApp, type TestApp } from '../support/test-app';

interface OpenApiOperation {
  operationId?: string;
  security?: unknown[];
  description?: string;
  requestBody?: { content: Record<string, { schema: { properties?: Record<string, unknown> } }> };
  responses?: Record<string, unknown>;
}
interface OpenApiDocument {
  openapi: string;
  paths: Record<string, Record<string, OpenApiOperation>>;
  components: { securitySchemes: Record<string, { type: string; scheme: string }> };
  security: Array<Record<string, unknown>>;
}

/** `/apps/:contextPath{/*path}` -> `/apps/{contextPath}/{path}`, as the OpenAPI document writes it. */
function toOpenApiPath(expressPath: string): string {
  return expressPath
    .replace(/\{\/\*(\w+)\}/g, '/{$1}')
    .replace(/\*(\w+)/g, '{$1}')
    .replace(/:(\w+)/g, '{$1}');
}

/** `METHOD path` of every route handler the app registered. */
function registeredRoutes(t: TestApp): string[] {
  const routes: string[] = [];
  for (const module of t.app.get(ModulesContainer).values()) {
    for (const wrapper of module.controllers.values()) {
      const controller = wrapper.metatype as Type;
      const prefixes = [Reflect.getMetadata(PATH_METADATA, controller) as string | string[]].flat();
      const prototype = controller.prototype as Record<string, unknown>;
      for (const name of Object.getOwnPropertyNames(prototype)) {
        const handler = prototype[name];
        if (name === 'constructor' || typeof handler !== 'function') continue;
        const paths = Reflect.getMetadata(PATH_METADATA, handler) as string | string[] | undefined;
        if (paths === undefined) continue;
        const method = RequestMethod[Reflect.getMetadata(METHOD_METADATA, handler) as number].toLowerCase();
        for (const prefix of prefixes)
          for (const route of [paths].flat()) {
            const full = `/${[prefix, route].filter((part) => part && part !== '/').join('/')}`.replace(
              /\/+/g,
              '/',
            );
            routes.push(`${method} ${toOpenApiPath(full)}`);
          }
      }
    }
  }
  return routes.sort();
}

describe('OpenAPI document', () => {
  let t: TestApp;
  let document: OpenApiDocument;
  beforeAll(async () => {
    t = await startTestApp();
    const response = await request(t.server).get('/api-docs-json');
    expect(response.status).toBe(200);
    document = response.body as OpenApiDocument;
  });
  afterAll(async () => {
    await t?.close();
  });

  it('lists every registered route', () => {
    const documented = Object.entries(document.paths)
      .flatMap(([path, item]) => Object.keys(item).map((method) => `${method} ${path}`))
      .sort();
    const routes = registeredRoutes(t);
    expect(routes.length).toBeGreaterThan(20);
    expect(routes.filter((route) => !documented.includes(route))).toEqual([]);
  });

  it('declares Basic auth for everything but the public routes', () => {
    expect(document.components.securitySchemes.basic).toMatchObject({ type: 'http', scheme: 'basic' });
    expect(document.security).toEqual([{ basic: [] }]);
    expect(document.paths['/health/live'].get.security).toEqual([]);
    expect(document.paths['/metrics'].get.security).toEqual([]);
    expect(document.paths['/inventory/binaries'].get.security).toBeUndefined();
    expect(document.paths['/inventory/binaries'].post.description).toContain('ROLE_INVENTORY_ADMIN');
    expect(JSON.stringify(document.paths['/inventory/binaries'].post.responses)).toContain(
      '#/components/schemas/CumulocityError',
    );
  });

  it('describes the multipart bodies', () => {
    const schemaOf = (path: string, method: string) =>
      document.paths[path][method].requestBody?.content['multipart/form-data'].schema;
    expect(Object.keys(schemaOf('/inventory/binaries', 'post')?.properties ?? {})).toEqual([
      'object',
      'filesize',
      'file',
    ]);
    expect(schemaOf('/application/applications/{id}/binaries', 'post')?.properties).toHaveProperty('file');
    expect(
      schemaOf('/application/applications/{id}/binaries/plugins/{pluginName}', 'post')?.properties,
    ).toHaveProperty('file');
    expect(schemaOf('/application/applications/{id}/binaries/files', 'post')).toBeDefined();
    expect(document.paths['/inventory/binaries/{id}'].put.requestBody?.content).toHaveProperty('*/*');
  });

  it('describes a request body for every POST and PUT', () => {
    const withoutBody = Object.entries(document.paths).flatMap(([path, item]) =>
      Object.entries(item)
        .filter(([method, operation]) => ['post', 'put'].includes(method) && !operation.requestBody)
        .map(([method]) => `${method} ${path}`),
    );
    expect(withoutBody).toEqual([]);
    expect(document.paths['/application/applications'].post.requestBody?.content).toHaveProperty(
      'application/json',
    );
  });

  it('serves Swagger UI at /api-docs', async () => {
    const response = await request(t.server).get('/api-docs').redirects(1);
    expect(response.status).toBe(200);
    expect(response.text).toContain('swagger-ui');
  });
});
