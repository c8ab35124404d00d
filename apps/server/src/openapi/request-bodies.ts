import type { RequestBodyObject, SchemaObject } from '@nestjs/swagger';

const binary = { type: 'string', format: 'binary' } as const;

/** A multipart body with a required `file` part among `properties`. */
function multipartWithFile(
  properties: Record<string, SchemaObject>,
  description?: string,
): RequestBodyObject {
  return {
    required: true,
    ...(description === undefined ? {} : { description }),
    content: {
      'multipart/form-data': { schema: { type: 'object', required: ['file'], properties } },
    },
  };
}

const PLUGIN_ZIP = multipartWithFile({
  file: { ...binary, description: 'The plugin zip; it becomes the directory `<pluginName>/`' },
});

/** Cumulocity's OAuth-internal login form (`tfa_code` is accepted and ignored). */
const LOGIN_FORM: RequestBodyObject = {
  required: true,
  description:
    'The tenant comes from `?tenant_id=`, a `tenant/` prefix of `username`, or is the bootstrap tenant.',
  content: {
    'application/x-www-form-urlencoded': {
      schema: {
        type: 'object',
        required: ['grant_type', 'username', 'password'],
        properties: {
          grant_type: { type: 'string', enum: ['PASSWORD'] },
          username: { type: 'string' },
          password: { type: 'string' },
        },
      },
    },
  },
};

/**
 * Bodies read from the raw request (streamed multipart, raw content, forms), which the scanner
 * cannot infer, by operation id.
 */
const STREAMED_BODIES: Record<string, RequestBodyObject> = {
  OAuthController_token: LOGIN_FORM,
  OAuthController_cookie: LOGIN_FORM,
  OAuthController_logout: {
    required: false,
    description: 'Ignored (the Web SDK sends `{}`).',
    content: { 'application/json': { schema: { type: 'object' } } },
  },
  InventoryBinariesController_upload: multipartWithFile(
    {
      object: {
        type: 'string',
        description: 'The managed object as JSON text: `name`, `type` and any custom fragments',
        example: '{"name":"firmware.bin","type":"application/octet-stream"}',
      },
      filesize: { type: 'integer', description: 'Legacy: the file size in bytes, checked when given' },
      file: { ...binary, description: 'The content; its part Content-Type becomes `contentType`' },
    },
    'Parts in any order (the official client sends `file` first). The file streams into storage as it arrives.',
  ),
  InventoryBinariesController_replace: {
    required: true,
    description: "The new content as the raw body; its Content-Type becomes the binary's `contentType`.",
    content: { '*/*': { schema: binary } },
  },
  ApplicationArchivesController_upload: multipartWithFile({
    file: { ...binary, description: 'The application zip (index.html at its root)' },
    fileName: { type: 'string', description: "Name to record instead of the part's filename" },
  }),
  ApplicationVersionsController_create: {
    required: true,
    description:
      "The zip part may come with or without a filename and Content-Type; `version` defaults to the zip's cumulocity.json version.",
    content: {
      'multipart/form-data': {
        schema: {
          type: 'object',
          required: ['applicationBinary'],
          properties: {
            applicationBinary: { ...binary, description: 'The package zip' },
            applicationVersion: {
              type: 'string',
              description: 'JSON text `{"version", "tags"}`',
              example: '{"version":"1.0.0","tags":["next"]}',
            },
            fileName: { type: 'string', description: "Name to record instead of the part's filename" },
          },
        },
      },
    },
  },
  ApplicationCloneController_clone: {
    required: false,
    description: 'No body (the official client sends an empty one); `?version=` picks the version to copy.',
    content: { 'application/json': { schema: { type: 'object' } } },
  },
  ApplicationPluginsController_addPlugin: PLUGIN_ZIP,
  ApplicationPluginsController_replacePlugin: PLUGIN_ZIP,
  ApplicationPluginsController_writeFiles: {
    required: true,
    description:
      "One part per file: the part's field name is the path inside the application (or a part named `filepath` carries the path as its filename).",
    content: {
      'multipart/form-data': {
        schema: { type: 'object', additionalProperties: binary },
        example: { 'assets/config.json': '{"theme":"dark"}' },
      },
    },
  },
};

/** JSON bodies (any `application/vnd.com.nsn.cumulocity.*+json` type is accepted as well). */
const JSON_BODIES: Record<string, { schema: Record<string, unknown>; example?: unknown }> = {
  ManagedObjectsController_update: {
    schema: {
      type: 'object',
      additionalProperties: true,
      description: 'Fragments to set; `null` removes one',
    },
    example: { name: 'renamed.bin', c8y_Firmware: { version: '1.2.3' } },
  },
  ApplicationsController_create: {
    schema: {
      type: 'object',
      required: ['name', 'key', 'type'],
      properties: {
        name: { type: 'string' },
        key: { type: 'string' },
        type: { type: 'string', enum: ['HOSTED', 'EXTERNAL'] },
        contextPath: { type: 'string' },
        externalUrl: { type: 'string' },
        availability: { type: 'string', enum: ['PRIVATE', 'MARKET', 'SHARED'] },
        manifest: { type: 'object' },
      },
      additionalProperties: true,
    },
    example: { name: 'cockpit-ext', key: 'cockpit-ext-key', type: 'HOSTED', contextPath: 'cockpit-ext' },
  },
  ApplicationsController_update: {
    schema: {
      type: 'object',
      additionalProperties: true,
      description: 'Fields to change; `null` clears one',
    },
    example: { availability: 'MARKET' },
  },
  ApplicationVersionsController_replaceTags: {
    schema: {
      type: 'object',
      required: ['tags'],
      properties: { tags: { type: 'array', items: { type: 'string' } } },
      description: 'Replaces the tags; `latest` moves to this version and makes it the active one',
    },
    example: { tags: ['latest', 'stable'] },
  },
  TenantStorageController_put: {
    schema: {
      type: 'object',
      required: ['quotaBytes'],
      properties: {
        quotaBytes: {
          type: 'integer',
          nullable: true,
          minimum: 0,
          description:
            "The tenant's own quota in bytes; `null` returns it to the default (TENANT_STORAGE_QUOTA)",
        },
      },
    },
    example: { quotaBytes: 10737418240 },
  },
  UsersController_changePassword: {
    schema: {
      type: 'object',
      required: ['currentUserPassword', 'newPassword'],
      properties: { currentUserPassword: { type: 'string' }, newPassword: { type: 'string' } },
    },
  },
  UsersController_updateCurrentUser: {
    schema: {
      type: 'object',
      description:
        'Fields a user may change of themself; `password` needs `currentUserPassword`. Read-only fields are ignored; `roles`, `groups` and a changed `enabled` or `userName` are a 422.',
      properties: {
        firstName: { type: 'string' },
        lastName: { type: 'string' },
        email: { type: 'string' },
        phone: { type: 'string' },
        password: { type: 'string' },
        currentUserPassword: { type: 'string' },
      },
    },
    example: { firstName: 'Jane', phone: '+49 30 1234' },
  },
  TenantApplicationsController_subscribe: {
    schema: {
      type: 'object',
      required: ['application'],
      properties: {
        application: {
          type: 'object',
          properties: { self: { type: 'string' }, id: { type: 'string' } },
        },
      },
    },
    example: { application: { self: 'https://depot.example.com/application/applications/12' } },
  },
  UsersController_create: {
    schema: {
      type: 'object',
      required: ['userName', 'password'],
      properties: {
        userName: { type: 'string' },
        password: { type: 'string' },
        email: { type: 'string' },
        firstName: { type: 'string' },
        lastName: { type: 'string' },
        enabled: { type: 'boolean' },
      },
    },
    example: { userName: 'device01', password: 's3cret-pass' },
  },
  UsersController_update: {
    schema: {
      type: 'object',
      properties: {
        password: { type: 'string' },
        email: { type: 'string' },
        firstName: { type: 'string' },
        lastName: { type: 'string' },
        enabled: { type: 'boolean' },
      },
    },
  },
  UsersController_assignRole: {
    schema: {
      type: 'object',
      required: ['role'],
      properties: { role: { type: 'object', properties: { self: { type: 'string' } } } },
    },
    example: { role: { self: 'https://depot.example.com/user/roles/ROLE_INVENTORY_READ' } },
  },
  TenantsController_create: {
    schema: {
      type: 'object',
      required: ['company', 'domain', 'adminName', 'adminPass'],
      properties: {
        id: { type: 'string' },
        company: { type: 'string' },
        domain: { type: 'string' },
        adminName: { type: 'string' },
        adminPass: { type: 'string' },
        adminEmail: { type: 'string' },
      },
    },
  },
};

/** Request bodies by operation id, for `setupOpenApi`. */
export const REQUEST_BODIES: Record<string, RequestBodyObject> = {
  ...STREAMED_BODIES,
  ...Object.fromEntries(
    Object.entries(JSON_BODIES).map(([operationId, { schema, example }]): [string, RequestBodyObject] => [
      operationId,
      {
        required: true,
        content: { 'application/json': { schema, ...(example === undefined ? {} : { example }) } },
      },
    ]),
  ),
};
