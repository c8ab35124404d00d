/**
 * Settings every Depot connection starts with, before any the URL's own `options` give (those come
 * later and win). `random_page_cost=1.1` (PostgreSQL's default 4 models spinning disks): with it the
 * planner serves a filtered list from its `(tenant_id, type, id)` index; with 4 it may walk the
 * primary key and filter, which reads every row before the first match — 100 ms at 255,000 rows for a
 * type whose binaries all came late, against 0.1 ms (docs/performance.md, "List p99").
 */
const SESSION_DEFAULTS = ['-c random_page_cost=1.1'];

/** `url` with Depot's session settings in its `options` parameter, ahead of the URL's own. */
export function withSessionDefaults(url: string): string {
  const parsed = new URL(url);
  const own = parsed.searchParams.get('options');
  parsed.searchParams.set('options', [...SESSION_DEFAULTS, ...(own ? [own] : [])].join(' '));
  return parsed.toString();
}
