/**
 * SQL condition: the application aliased `alias` is subscribed by the tenant in query parameter
 * `parameter`. Both names are the caller's constants, never request input (values stay parameters).
 */
export function subscribedBy(alias: string, parameter: string): string {
  return `EXISTS (SELECT 1 FROM application_subscriptions sub WHERE sub.application_id = ${alias}.id AND sub.tenant_id = :${parameter})`;
}
