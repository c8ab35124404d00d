import type { ManagedObjectEntity } from './managed-object.entity';

/** Fields the server owns; a PUT may send them back but never changes them. */
export const READ_ONLY_FIELDS: ReadonlySet<string> = new Set([
  'id',
  'self',
  'owner',
  'creationTime',
  'lastUpdated',
  'c8y_IsBinary',
  'length',
  'contentType',
  '_attachments',
]);

/** Fields stored in their own columns rather than in `fragments`. */
export const COLUMN_FIELDS: ReadonlySet<string> = new Set(['name', 'type']);

/**
 * What the JSON shows of a managed object. A list reads only these, with the times already written
 * as `toISOString()` would by PostgreSQL (see `InventoryService.list`).
 */
export type RepresentedManagedObject = Pick<
  ManagedObjectEntity,
  'id' | 'owner' | 'name' | 'type' | 'fragments' | 'storageKey' | 'length' | 'contentType' | 'md5' | 'revpos'
> & { creationTime: Date | string; lastUpdated: Date | string };

/** The object's own URL: binaries live under `/inventory/binaries` (as the OAS example shows). */
export function managedObjectSelf(
  object: Pick<ManagedObjectEntity, 'id' | 'storageKey'>,
  baseUrl: string,
): string {
  return object.storageKey !== null
    ? `${baseUrl}/inventory/binaries/${object.id}`
    : `${baseUrl}/inventory/managedObjects/${object.id}`;
}

/**
 * Cumulocity's managed-object JSON. For a binary it adds `c8y_IsBinary`, `contentType`, `length` and
 * the `_attachments` block of the original document (CouchDB style: `digest` is `md5-<base64>`).
 * Server fields are written last so a stored fragment can never shadow them.
 */
export function toManagedObjectRepresentation(
  object: RepresentedManagedObject,
  baseUrl: string,
): Record<string, unknown> {
  const body: Record<string, unknown> = {
    ...object.fragments,
    id: object.id,
    self: managedObjectSelf(object, baseUrl),
    owner: object.owner,
    creationTime: isoTime(object.creationTime),
    lastUpdated: isoTime(object.lastUpdated),
  };
  if (object.name !== null) body.name = object.name;
  if (object.type !== null) body.type = object.type;
  if (object.storageKey !== null) {
    const contentType = object.contentType ?? 'application/octet-stream';
    body.c8y_IsBinary = {};
    body.contentType = contentType;
    body.length = object.length ?? 0;
    // Keyed by the object's name: a dictionary, since a plain object would make V8 build a hidden
    // class per distinct name (about 30% of the representation's CPU).
    const attachments: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
    attachments[object.name ?? object.id] = {
      stub: true,
      length: object.length ?? 0,
      digest: object.md5 ? `md5-${Buffer.from(object.md5, 'hex').toString('base64')}` : undefined,
      revpos: object.revpos ?? 1,
      content_type: contentType,
    };
    body._attachments = attachments;
  }
  return body;
}

function isoTime(time: Date | string): string {
  return typeof time === 'string' ? time : time.toISOString();
}
