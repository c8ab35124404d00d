/** PostgreSQL's `unique_violation`. */
const UNIQUE_VIOLATION = '23505';

/**
 * The unique constraint a failed insert or update broke, when that is why it failed (TypeORM's
 * `QueryFailedError` carries the driver's `code` and `constraint`); `undefined` for any other error.
 */
export function uniqueViolationOf(error: unknown): { constraint?: string } | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { code, constraint } = error as { code?: unknown; constraint?: unknown };
  if (code !== UNIQUE_VIOLATION) return undefined;
  return { constraint: typeof constraint === 'string' ? constraint : undefined };
}
