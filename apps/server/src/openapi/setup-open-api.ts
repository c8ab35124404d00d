import type { INestApplication, Type } from '@nestjs/common';
import { ModulesContainer } from '@nestjs/core';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import { PUBLIC_KEY, ROLES_KEY, AUTHENTICATED_KEY } from '@depot/common';
import { REQUEST_BODIES } from './request-bodies';

type Operation = OpenAPIObject['paths'][string]['get'] & object;
const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'] as const;

/**
 * Serves the OpenAPI document at `/api-docs-json` and Swagger UI at `/api-docs`. Nest's scanner
 * finds every route; this adds what it cannot see: Basic auth (`tenant/user:password`), which
 * routes are public, the roles each route needs (from `@Roles`), and the bodies that are read from
 * the raw request (multipart uploads, raw PUT content).
 */
export function setupOpenApi(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('Depot')
    .setDescription(
      'Cumulocity-compatible binaries and application hosting. Authenticate with HTTP Basic, ' +
        'user name `<tenant>/<user>` (or `<user>` in the default tenant), or with `Authorization: Bearer` ' +
        'and a token from `POST /tenant/oauth/token`. Errors have the body ' +
        '`{"error": "<resource>/<Name>", "message": "...", "info": "..."}`.',
    )
    .setVersion('0.1.0')
    .addBasicAuth({ type: 'http', scheme: 'basic', description: 'tenant/user:password' }, 'basic')
    .addSecurityRequirements('basic')
    .build();
  const document = SwaggerModule.createDocument(app, config, { autoTagControllers: true });
  document.components = {
    ...document.components,
    schemas: { ...document.components?.schemas, CumulocityError: CUMULOCITY_ERROR_SCHEMA },
  };
  describeOperations(document, controllersByName(app));
  SwaggerModule.setup('api-docs', app, document, {
    jsonDocumentUrl: 'api-docs-json',
    yamlDocumentUrl: 'api-docs-yaml',
  });
  return document;
}

function controllersByName(app: INestApplication): Map<string, Type> {
  const controllers = new Map<string, Type>();
  for (const module of app.get(ModulesContainer).values())
    for (const wrapper of module.controllers.values())
      controllers.set((wrapper.metatype as Type).name, wrapper.metatype as Type);
  return controllers;
}

/** Operation ids are `<Controller>_<method>` (the scanner's default), which leads back to the handler. */
function describeOperations(document: OpenAPIObject, controllers: Map<string, Type>): void {
  for (const item of Object.values(document.paths)) {
    for (const method of METHODS) {
      const operation = item[method];
      if (!operation?.operationId) continue;
      const [controllerName, handlerName] = operation.operationId.split('_');
      const controller = controllers.get(controllerName);
      const handler = (controller?.prototype as Record<string, unknown> | undefined)?.[handlerName];
      if (controller && typeof handler === 'function') describeAccess(operation, controller, handler);
      const body = REQUEST_BODIES[operation.operationId];
      if (body) operation.requestBody = body;
    }
  }
}

function describeAccess(operation: Operation, controller: Type, handler: object): void {
  const read = (key: string): unknown =>
    (Reflect.getMetadata(key, handler) as unknown) ?? (Reflect.getMetadata(key, controller) as unknown);
  if (read(PUBLIC_KEY)) {
    operation.security = [];
    return;
  }
  const roles = read(ROLES_KEY) as string[] | undefined;
  const access =
    roles && roles.length > 0
      ? `Requires one of: ${roles.map((role) => `\`${role}\``).join(', ')}.`
      : read(AUTHENTICATED_KEY)
        ? 'Any authenticated user.'
        : undefined;
  if (access) operation.description = [operation.description, access].filter(Boolean).join('\n\n');
  operation.responses ??= {};
  operation.responses['401'] ??= errorResponse('Missing or bad credentials (`security/Unauthorized`)');
  if (roles && roles.length > 0)
    operation.responses['403'] ??= errorResponse('Lacks the role (`security/Forbidden`)');
}

const ERROR_MEDIA_TYPE = 'application/vnd.com.nsn.cumulocity.error+json';

/** Every error answer has this body (see the Cumulocity exception filter). */
const CUMULOCITY_ERROR_SCHEMA = {
  type: 'object',
  required: ['error', 'message', 'info'],
  properties: {
    error: { type: 'string', example: 'inventory/Not Found' },
    message: { type: 'string' },
    info: { type: 'string', example: 'https://www.cumulocity.com/guides/reference-guide/#error_reporting' },
    requestId: { type: 'string', description: 'On 500 answers: find it in the log' },
  },
};

function errorResponse(description: string) {
  return {
    description,
    content: { [ERROR_MEDIA_TYPE]: { schema: { $ref: '#/components/schemas/CumulocityError' } } },
  };
}
