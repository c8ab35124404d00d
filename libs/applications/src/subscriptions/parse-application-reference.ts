import { CumulocityError, isEntityId } from '@depot/common';

/**
 * `{"application":{"self":".../application/applications/<id>"}}` or `{"application":{"id":"<id>"}}`
 * (the Web SDK sends both; `self` wins) → the application id.
 */
export function parseApplicationReference(raw: unknown): string {
  const application =
    typeof raw === 'object' && raw !== null && !Array.isArray(raw)
      ? (raw as Record<string, unknown>).application
      : undefined;
  if (typeof application !== 'object' || application === null || Array.isArray(application)) throw invalid();
  const { self, id } = application as Record<string, unknown>;
  let candidate: unknown = typeof id === 'number' ? String(id) : id;
  if (typeof self === 'string') candidate = self.replace(/\/+$/, '').split('/').pop();
  if (typeof candidate !== 'string' || !isEntityId(candidate)) throw invalid();
  return candidate;
}

function invalid(): CumulocityError {
  return CumulocityError.invalidData(
    'applications',
    'Body must be {"application":{"self":".../application/applications/<id>"}} or {"application":{"id":"<id>"}}',
  );
}
