import { assertSafeRelativePath, CumulocityError, UnsafePathError } from '@depot/common';

const PLUGIN_NAME = /^[A-Za-z0-9._-]{1,255}$/;

/**
 * A plugin name becomes one top-level directory of the archive, so it must be exactly one safe path
 * segment. Route parameters arrive URL-decoded, so `a%2Fb` and `%2E%2E` are caught here as `a/b` and `..`.
 */
export function assertPluginName(name: string): string {
  if (!PLUGIN_NAME.test(name) || name === '.' || name === '..') {
    throw CumulocityError.badRequest(
      'applications',
      `Invalid plugin name ${JSON.stringify(name)}: use letters, digits, '.', '_' and '-' only`,
    );
  }
  return name;
}

/** A file path inside an application (files endpoint): relative, no `..`, no backslash, NUL or empty segment. */
export function assertApplicationFilePath(candidate: string): string {
  try {
    return assertSafeRelativePath(candidate).join('/');
  } catch (error) {
    if (error instanceof UnsafePathError) {
      throw CumulocityError.badRequest('applications', `Invalid file path: ${error.reason}`);
    }
    throw error;
  }
}
