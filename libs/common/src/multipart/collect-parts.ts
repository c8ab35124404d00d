import { IncompleteBodyError } from '../incomplete-body.error';
import type { MultipartContentPart } from './read-multipart';

/**
 * A sink for `readMultipart` that collects content parts into buffers, for callers that need the
 * bytes whole (today's zip handling). All parts it collects together are bounded by `maxBytes`:
 * once passed, the part is dropped and the sink rejects with `tooLarge()` at once.
 */
export function collectParts(
  maxBytes: number,
  tooLarge: () => Error,
): (part: MultipartContentPart) => Promise<Buffer> {
  let total = 0;
  return ({ stream }) =>
    new Promise<Buffer>((resolve, reject) => {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => {
        total += chunk.length;
        if (total <= maxBytes) return void chunks.push(chunk);
        chunks.length = 0;
        stream.destroy();
        reject(tooLarge());
      });
      stream.once('end', () => resolve(Buffer.concat(chunks)));
      stream.once('error', reject);
      // Destroyed before its end (the body failed): the reader already has its own error.
      stream.once('close', () => reject(new IncompleteBodyError('general')));
    });
}
