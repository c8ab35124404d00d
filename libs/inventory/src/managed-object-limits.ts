import { CumulocityError } from '@depot/common';

/**
 * Longest `name` and `type`, in UTF-16 units as JavaScript and Java (Cumulocity) count them.
 * Cumulocity documents no limit; these leave room for any real file name or type while keeping a
 * name out of the megabytes. `type` is tighter because it is indexed: a PostgreSQL B-tree entry
 * holds at most 2,704 bytes, and 500 units are at most 1,500 bytes of UTF-8.
 */
export const MAX_NAME_LENGTH = 1000;
export const MAX_TYPE_LENGTH = 500;

/**
 * 422 for a `name` or `type` over its limit or holding U+0000 (PostgreSQL text cannot), wherever an
 * object is created or changed: a name may come from a multipart filename, which no JSON check sees.
 */
export function assertStorableNameAndType(fields: { name?: string | null; type?: string | null }): void {
  assertLength('name', fields.name, MAX_NAME_LENGTH);
  assertLength('type', fields.type, MAX_TYPE_LENGTH);
}

function assertLength(field: string, value: string | null | undefined, max: number): void {
  if (typeof value === 'string' && value.includes('\u0000'))
    throw CumulocityError.invalidData('inventory', `"${field}" must not contain U+0000`);
  if (typeof value === 'string' && value.length > max)
    throw CumulocityError.invalidData(
      'inventory',
      `"${field}" has ${value.length} characters; at most ${max} are allowed`,
    );
}
