import { crc32, createInflateRaw } from 'node:zlib';
import { InvalidArchiveError } from './invalid-archive.error';
import { METHOD_STORED } from './zip-format';

/**
 * Inflates an entry's compressed bytes (stored ones pass as they are), handing each chunk to
 * `consume`, and resolves with the CRC-32 of what came out. Inflation stops at the first throw of
 * `consume`, which is the rejection; corrupt deflate data is `InvalidArchiveError('corrupt data')`.
 */
export async function inflateEntry(
  entry: { readonly method: number; readonly data: Buffer },
  label: string,
  consume: (chunk: Buffer) => void,
): Promise<number> {
  let crc = 0;
  const take = (chunk: Buffer): void => {
    consume(chunk);
    crc = crc32(chunk, crc);
  };
  if (entry.method === METHOD_STORED) take(entry.data);
  else await inflateRaw(entry.data, take, label);
  return crc >>> 0;
}

/** The inflated content of a small entry, refused once it passes `maxSize`. */
export async function readEntryContent(
  entry: { readonly method: number; readonly data: Buffer },
  label: string,
  maxSize: number,
): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  await inflateEntry(entry, label, (chunk) => {
    size += chunk.length;
    if (size > maxSize)
      throw new InvalidArchiveError('size differs from header', `entry ${label} is too large`);
    chunks.push(chunk);
  });
  return Buffer.concat(chunks);
}

function inflateRaw(compressed: Buffer, consume: (chunk: Buffer) => void, label: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const inflater = createInflateRaw();
    let failed = false;
    const fail = (error: unknown): void => {
      if (failed) return;
      failed = true;
      inflater.destroy();
      reject(
        error instanceof InvalidArchiveError
          ? error
          : new InvalidArchiveError('corrupt data', `entry ${label}`),
      );
    };
    inflater.on('data', (chunk: Buffer) => {
      if (failed) return;
      try {
        consume(chunk);
      } catch (error) {
        fail(error);
      }
    });
    inflater.on('error', fail);
    inflater.on('end', () => {
      if (!failed) resolve();
    });
    inflater.end(compressed);
  });
}
