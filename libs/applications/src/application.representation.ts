import { ApplicationType, type ApplicationEntity } from './application.entity';
import type { ApplicationVersionEntity } from './versions/application-version.entity';

/** A version on the wire: `{version, binaryId, tags}` (`tags` always an array: clients call `tags.includes`). */
export function toApplicationVersionRepresentation(version: ApplicationVersionEntity): {
  version: string;
  binaryId: string;
  tags: string[];
} {
  return { version: version.version, binaryId: version.binaryId, tags: [...version.tags] };
}

/** The application's own URL. */
export function applicationSelf(application: Pick<ApplicationEntity, 'id'>, baseUrl: string): string {
  return `${baseUrl}/application/applications/${application.id}`;
}

/**
 * Cumulocity's application JSON: the client's extra fields first, then the server's, so a stored
 * field can never shadow `id`, `owner` or `activeVersionId`.
 */
export function toApplicationRepresentation(
  application: ApplicationEntity,
  baseUrl: string,
): Record<string, unknown> {
  const body: Record<string, unknown> = {
    ...application.extra,
    id: application.id,
    self: applicationSelf(application, baseUrl),
    name: application.name,
    key: application.key,
    type: application.type,
    availability: application.availability,
    owner: {
      self: `${baseUrl}/tenant/tenants/${application.owner}`,
      tenant: { id: application.owner },
    },
  };
  if (application.contextPath !== null) body.contextPath = application.contextPath;
  if (application.externalUrl !== null) body.externalUrl = application.externalUrl;
  if (application.manifest !== null) body.manifest = application.manifest;
  if (application.activeVersionId !== null) body.activeVersionId = application.activeVersionId;
  // HOSTED applications always carry the list (empty without versions): the toolkit and the Web UI
  // decide "first version?" from it.
  if (application.type === ApplicationType.Hosted && application.versions !== undefined)
    body.applicationVersions = application.versions.map(toApplicationVersionRepresentation);
  return body;
}
