/**
 * Ids of what Depot stores are positive `bigint`s (18 digits always fit). Anything else names
 * nothing: callers answer 404 like for an unknown id, never a database error.
 */
export function isEntityId(raw: unknown): raw is string {
  return typeof raw === 'string' && /^[1-9][0-9]{0,17}$/.test(raw);
}
