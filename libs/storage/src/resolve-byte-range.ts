import type { ByteRange } from './storage-driver';
import { StorageRangeError } from './storage.errors';

/** Turns a requested range into inclusive offsets within an object of `length` bytes (HTTP rules). */
export function resolveByteRange(
  key: string,
  range: ByteRange,
  length: number,
): { start: number; end: number } {
  if ('suffixLength' in range) {
    if (!Number.isSafeInteger(range.suffixLength) || range.suffixLength <= 0 || length === 0)
      throw new StorageRangeError(key, -range.suffixLength, length - 1, length);
    return { start: Math.max(0, length - range.suffixLength), end: length - 1 };
  }
  const { start, end } = range;
  if (
    !Number.isSafeInteger(start) ||
    !Number.isSafeInteger(end) ||
    start < 0 ||
    end < start ||
    start >= length
  )
    throw new StorageRangeError(key, start, end, length);
  return { start, end: Math.min(end, length - 1) };
}
