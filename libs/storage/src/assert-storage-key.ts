import { assertSafeRelativePath, UnsafePathError } from '@depot/common';
import { InvalidStorageKeyError } from './storage.errors';

/** Validates a storage key with the shared path-safety rules; throws `InvalidStorageKeyError`. */
export function assertStorageKey(key: string): string[] {
  try {
    return assertSafeRelativePath(key);
  } catch (error) {
    if (error instanceof UnsafePathError) throw new InvalidStorageKeyError(String(key), error.reason);
    throw error;
  }
}
