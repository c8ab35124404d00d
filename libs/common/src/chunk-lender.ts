import type { Readable } from 'node:stream';

/**
 * A stream whose chunks are lent: a consumer that calls `returnChunk(chunk)` once nothing needs the
 * chunk's bytes any more (the socket has taken them) lets the stream read into that memory again.
 * A consumer that never returns chunks loses nothing: it gets fresh memory for every chunk, as from
 * any stream. Reuse matters for long downloads: a new 1 MiB buffer per chunk is external memory V8
 * answers with a full garbage collection every ~64 MiB, which cost Depot's downloads 2–4× the CPU
 * per GiB of a plain `fs` stream in a process with a real heap (docs/performance.md).
 */
export interface ChunkLender {
  returnChunk(chunk: Uint8Array): void;
}

export function isChunkLender(stream: Readable): stream is Readable & ChunkLender {
  return typeof (stream as Partial<ChunkLender>).returnChunk === 'function';
}
