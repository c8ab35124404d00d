import type { Readable, Writable } from 'node:stream';

/**
 * `source.pipe(sink)`, plus what `pipe` leaves out: a source that errors or closes early destroys the
 * sink (so a storage write rejects and leaves nothing), and a sink that fails (e.g. the size limit)
 * unpipes the source without destroying it, so an HTTP request stays usable for the error response.
 */
export function feedInto(source: Readable, sink: Writable): void {
  const abort = (error?: Error): void => {
    if (!sink.destroyed) sink.destroy(error ?? new IncompleteUploadError());
  };
  source.once('error', abort);
  source.once('close', () => {
    if (!source.readableEnded) abort();
  });
  sink.once('error', () => source.unpipe(sink));
  sink.once('close', () => source.unpipe(sink));
  source.pipe(sink);
}

/** The client went away (or the part ended) before all bytes arrived. */
export class IncompleteUploadError extends Error {
  constructor() {
    super('The upload ended before it was complete');
    this.name = 'IncompleteUploadError';
  }
}
