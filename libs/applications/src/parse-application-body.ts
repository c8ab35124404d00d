import { CumulocityError, isEntityId } from '@depot/common';
import { ApplicationType } from './application.entity';

/** What a POST or PUT body asks to set. `null` clears a field; an absent key leaves it alone. */
export interface ApplicationChanges {
  name?: string;
  key?: string;
  type?: ApplicationType;
  availability?: string;
  contextPath?: string | null;
  externalUrl?: string | null;
  manifest?: Record<string, unknown> | null;
  activeVersionId?: string | null;
  /** Every other client field; `null` removes it. */
  extra: Record<string, unknown>;
}

/** Fields the server owns: tools send them back (the toolkit PUTs the whole object); they are ignored. */
const READ_ONLY_FIELDS: ReadonlySet<string> = new Set([
  'id',
  'self',
  'owner',
  'creationTime',
  'lastUpdated',
  // Managed through /versions.
  'applicationVersions',
]);
const AVAILABILITIES: ReadonlySet<string> = new Set(['PRIVATE', 'MARKET', 'SHARED']);
// One URL segment, no `@` (reserved for `<contextPath>@<version>`), not starting with a dot.
const CONTEXT_PATH = /^[A-Za-z0-9_~-][A-Za-z0-9._~-]{0,254}$/;
const MAX_TEXT = 255;

function invalid(message: string): CumulocityError {
  return CumulocityError.invalidData('applications', message);
}

/**
 * Checks an application body and splits it into modelled fields and extra client fields. Shapes only:
 * what a type requires is checked by the service against the merged result.
 */
export function parseApplicationBody(body: unknown): ApplicationChanges {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw invalid('The request body must be a JSON application object');
  const changes: ApplicationChanges = { extra: {} };
  for (const [field, value] of Object.entries(body as Record<string, unknown>)) {
    if (READ_ONLY_FIELDS.has(field)) continue;
    switch (field) {
      case 'name':
      case 'key':
        changes[field] = requiredText(field, value);
        break;
      case 'type':
        changes.type = parseType(value);
        break;
      case 'availability':
        if (typeof value !== 'string' || !AVAILABILITIES.has(value))
          throw invalid(`"availability" must be one of ${[...AVAILABILITIES].join(', ')}`);
        changes.availability = value;
        break;
      case 'contextPath':
        if (value !== null && (typeof value !== 'string' || !CONTEXT_PATH.test(value)))
          throw invalid('"contextPath" must be one path segment of letters, digits, ".", "_", "~" or "-"');
        changes.contextPath = value;
        break;
      case 'externalUrl':
        if (value !== null && (typeof value !== 'string' || !isHttpUrl(value)))
          throw invalid('"externalUrl" must be an absolute http(s) URL');
        changes.externalUrl = value;
        break;
      case 'manifest':
        if (value !== null && (typeof value !== 'object' || Array.isArray(value)))
          throw invalid('"manifest" must be a JSON object');
        changes.manifest = value as Record<string, unknown> | null;
        break;
      case 'activeVersionId':
        changes.activeVersionId = parseVersionId(value);
        break;
      default:
        changes.extra[field] = value;
    }
  }
  return changes;
}

function requiredText(field: string, value: unknown): string {
  if (typeof value !== 'string' || value.trim() === '' || value.length > MAX_TEXT)
    throw invalid(`"${field}" must be a non-empty string of at most ${MAX_TEXT} characters`);
  return value;
}

function parseType(value: unknown): ApplicationType {
  if (value === ApplicationType.Microservice)
    throw invalid('MICROSERVICE applications are not supported by this server; use HOSTED or EXTERNAL');
  if (value !== ApplicationType.Hosted && value !== ApplicationType.External)
    throw invalid('"type" must be HOSTED or EXTERNAL');
  return value;
}

function parseVersionId(value: unknown): string | null {
  if (value === null) return null;
  const text = typeof value === 'number' && Number.isSafeInteger(value) ? String(value) : value;
  // Not an id of anything we store: the same 404 as an id of another application's archive.
  if (!isEntityId(text))
    throw CumulocityError.notFound(
      'applications',
      `Archive ${JSON.stringify(value)} of this application not found`,
    );
  return text;
}

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}
