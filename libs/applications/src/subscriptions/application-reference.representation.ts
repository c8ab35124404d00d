import type { ApplicationEntity } from '../application.entity';
import { toApplicationRepresentation } from '../application.representation';

/** Cumulocity's `applicationReference`: a tenant's subscription, with the whole application. */
export function toApplicationReference(
  tenantId: string,
  application: ApplicationEntity,
  baseUrl: string,
): { self: string; application: Record<string, unknown> } {
  return {
    self: `${baseUrl}/tenant/tenants/${encodeURIComponent(tenantId)}/applications/${application.id}`,
    application: toApplicationRepresentation(application, baseUrl),
  };
}
