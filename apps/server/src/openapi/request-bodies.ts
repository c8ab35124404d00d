import type { RequestBodyObject } from '@nestjs/swagger';

const binary = { type: 'string', format: 'binary' } as const;

/**
 * Bodies read from the raw request (streamed multipart, raw content), which the scanner cannot
 * infer, by operation id.
 */
export const REQUEST_BODIES: Record<string, RequestBodyObject> = {
  InventoryBinariesController_upload: {
    required: true,
    description:
      'Parts in any order (the official client sends `file` first). The file streams into storage as it arrives.',
    content: {
      'multipart/form-data': {
        schema: {
          type: 'object',
          required: ['file'],
          properties: {
            object: {
              type: 'string',
              description: 'The managed object as JSON text: `name`, `type` and any custom fragments',
              example: '{"name":"firmware.bin","type":"application/octet-stream"}',
            },
            filesize: { type: 'integer', description: 'Legacy: the file size in bytes, checked when given' },
            file: { ...binary, description: 'The content; its part Content-Type becomes `contentType`' },
          },
        },
      },
    },
  },
  InventoryBinariesController_replace: {
    required: true,
    description: "The new content as the raw body; its Content-Type becomes the binary's `contentType`.",
    content: { '*/*': { schema: binary } },
  },
  ApplicationArchivesController_upload: {
    required: true,
    content: {
      'multipart/form-data': {
        schema: {
          type: 'object',
          required: ['file'],
          properties: {
            file: { ...binary, description: 'The application zip (index.html at its root)' },
            fileName: { type: 'string', description: "Name to record instead of the part's filename" },
          },
        },
      },
    },
  },
  ApplicationPluginsController_addPlugin: pluginZip(),
  ApplicationPluginsController_replacePlugin: pluginZip(),
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

function pluginZip(): RequestBodyObject {
  return {
    required: true,
    content: {
      'multipart/form-data': {
        schema: {
          type: 'object',
          required: ['file'],
          properties: {
            file: { ...binary, description: 'The plugin zip; it becomes the directory `<pluginName>/`' },
          },
        },
      },
    },
  };
}
