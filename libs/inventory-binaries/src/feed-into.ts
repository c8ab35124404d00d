import { IncompleteBodyError } from '@depot/common';
import type { Readable, Writable } from 'node:stream';

/**
 * `source.pipe(sink)`, plus what `pipe` leaves out: a source that errors or closes early destroys the
 * sink with `IncompleteBodyError` (so a storage write rejects and leaves nothing), and a sink that
 * fails (e.g. the size limit) unpipes the source without destroying it, so an HTTP request stays
 * usable for the error response.
 */
export function feedInto(source: Readable, sink: Writable): void {
  const abort = (): void => {
    if (!sink.destroyed) sink.destroy(new IncompleteBodyError('inventory'));
  };
  // A request that went away before we got here emits neither `error` nor `close` again.
  if (source.readableAborted || (source.destroyed && !source.readableEnded)) return abort();
  source.once('error', abort);
  source.once('close', () => {
    if (!source.readableEnded) abort();
  });
  sink.once('error', () => source.unpipe(sink));
  sink.once('close', () => source.unpipe(sink));
  source.pipe(sink);
}
