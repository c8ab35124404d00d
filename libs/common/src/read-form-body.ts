import { HttpStatus } from '@nestjs/common';
import { urlencoded } from 'express';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { CumulocityError } from './cumulocity-error';

const FORM_TYPE = 'application/x-www-form-urlencoded';

/**
 * Reads an `application/x-www-form-urlencoded` body of at most `limit` bytes (413 beyond, body-parser's
 * error) into its fields; 415 for another Content-Type. A field given twice keeps its first value.
 */
export async function readFormBody(
  request: IncomingMessage,
  response: ServerResponse,
  limit: number,
  resource: string,
): Promise<Record<string, string>> {
  const parse = urlencoded({ extended: false, limit, parameterLimit: 50, type: FORM_TYPE });
  const target = request as IncomingMessage & { body?: unknown };
  await new Promise<void>((resolve, reject) =>
    parse(request, response, (error?: unknown) =>
      error === undefined || error === null
        ? resolve()
        : reject(error instanceof Error ? error : new Error('Reading the form failed')),
    ),
  );
  if (typeof target.body !== 'object' || target.body === null)
    throw new CumulocityError(
      HttpStatus.UNSUPPORTED_MEDIA_TYPE,
      `${resource}/Unsupported Media Type`,
      `Expected a ${FORM_TYPE} body`,
    );
  const fields: Record<string, string> = {};
  for (const [name, value] of Object.entries(target.body as Record<string, unknown>)) {
    const first: unknown = Array.isArray(value) ? value[0] : value;
    if (typeof first === 'string') fields[name] = first;
  }
  return fields;
}
