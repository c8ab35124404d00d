import { CumulocityError } from './cumulocity-error';
import { singleQueryValue } from './paging';

/** A list route's filters: what it implements, and what else Cumulocity defines as a filter there. */
export interface ListFilters<N extends string> {
  resource: string;
  implemented: readonly N[];
  /** Filters Cumulocity defines that this route does not implement: a 422, never ignored. */
  refused: readonly string[];
}

/**
 * Reads a list route's filters. A refused filter is a 422 naming it (ignoring it would answer with
 * everything); paging, decorations and parameters Cumulocity does not define are left alone.
 * Values are unquoted as current clients quote them: `'two words'` is `two words`, `''` inside is `'`.
 */
export function readListFilters<N extends string>(
  query: Record<string, unknown>,
  filters: ListFilters<N>,
): Partial<Record<N, string>> {
  const { resource, implemented, refused } = filters;
  const given = refused.find((name) => query[name] !== undefined);
  if (given !== undefined)
    throw CumulocityError.invalidData(resource, `Filtering by ${given} is not supported by Depot`);
  const values: Partial<Record<N, string>> = {};
  for (const name of implemented) {
    const value = singleQueryValue(query, name, resource);
    if (value !== undefined) values[name] = unquoteFilterValue(value);
  }
  return values;
}

/** `'it''s'` → `it's`; a value not wholly in single quotes is unchanged. */
export function unquoteFilterValue(value: string): string {
  if (value.length < 2 || !value.startsWith("'") || !value.endsWith("'")) return value;
  return value.slice(1, -1).replaceAll("''", "'");
}
