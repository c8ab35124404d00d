/**
 * The `<resource>` part of an error code for errors that no module raised (unknown route, body
 * parser, multipart reader), derived from the first path segment the way Cumulocity names its APIs.
 */
export function errorResourceForPath(path: string): string {
  const first =
    path
      .split('?')[0]
      .split('/')
      .find((segment) => segment.length > 0) ?? '';
  switch (first.toLowerCase()) {
    case 'inventory':
      return 'inventory';
    case 'application':
    case 'apps':
      return 'applications';
    case 'user':
      return 'users';
    case 'tenant':
      return 'tenants';
    default:
      return 'general';
  }
}
