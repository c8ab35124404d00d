import type { ManagedObjectEntity } from '@depot/inventory';

/** Strong ETag of a binary's content: its SHA-256 (identical bytes, identical tag). */
export function binaryEtag(object: Pick<ManagedObjectEntity, 'sha256' | 'id' | 'revpos'>): string {
  return `"${object.sha256 ?? `${object.id}-${object.revpos ?? 0}`}"`;
}
