// A `Range` that selects no byte of the content. The exception filter answers 416 with
// `Content-Range: bytes */<length>`, the one place that answer is built.
export class RangeNotSatisfiableError extends Error {
  constructor(readonly length: number) {
    super(`The content has ${length} bytes; the requested range selects none of them`);
    this.name = 'RangeNotSatisfiableError';
  }
}

/**
 * The bytes a download described went away before they could be opened (replaced or deleted
 * meanwhile). The sender then describes the content again; if it keeps going away, a 404.
 */
export class DownloadGoneError extends Error {
  constructor(what: string) {
    super(`${what} went away while it was being opened`);
    this.name = 'DownloadGoneError';
  }
}
