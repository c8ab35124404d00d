import { IncompleteBodyError } from '@depot/common';
import { IncomingMessage } from 'node:http';
import type { Readable, Writable } from 'node:stream';

/**
 * `source.pipe(sink)`, plus what `pipe` leaves out: a source that errors or closes early destroys the
 * sink (so a storage write rejects and leaves nothing), and a sink that fails (e.g. the size limit)
 * unpipes the source without destroying it, so an HTTP request stays usable for the error response.
 * A request that breaks off is the client's doing (`IncompleteBodyError`); any other source fails
 * the sink with its own error.
 */
export function feedInto(source: Readable, sink: Writable): void {
  const abort = (error?: Error): void => {
    if (sink.destroyed) return;
    if (source instanceof IncomingMessage) sink.destroy(new IncompleteBodyError('inventory'));
    else sink.destroy(error ?? new Error('The content stream closed before its end'));
  };
  // A request that went away before we got here emits neither `error` nor `close` again. Its
  // consumer may not listen yet: it learns of the failure from the destroyed sink itself.
  if (source.readableAborted || (source.destroyed && !source.readableEnded)) {
    sink.once('error', () => undefined);
    return abort(source.errored ?? undefined);
  }
  source.once('error', abort);
  source.once('close', () => {
    if (!source.readableEnded) abort();
  });
  sink.once('error', () => source.unpipe(sink));
  sink.once('close', () => source.unpipe(sink));
  source.pipe(sink);
}
