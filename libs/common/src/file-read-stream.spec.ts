import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as fs from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { FileReadStream } from './file-read-stream';

const MiB = 1024 * 1024;

describe('FileReadStream', () => {
  let dir: string;
  let file: string;
  const data = randomBytes(5 * MiB + 123);

  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'file-read-stream-'));
    file = path.join(dir, 'blob');
    writeFileSync(file, data);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  async function open(start = 0, end = Infinity): Promise<{ stream: FileReadStream; handle: fs.FileHandle }> {
    const handle = await fs.open(file, 'r');
    return { stream: new FileReadStream(handle, start, end), handle };
  }

  /** Reads everything, copying each chunk; `returning` hands each chunk back after copying it. */
  async function readAll(
    stream: FileReadStream,
    returning: boolean,
  ): Promise<{ bytes: Buffer; memory: Set<ArrayBufferLike>; chunks: number }> {
    const copies: Buffer[] = [];
    const memory = new Set<ArrayBufferLike>();
    let chunks = 0;
    for await (const chunk of stream) {
      const bytes = chunk as Buffer;
      copies.push(Buffer.from(bytes));
      memory.add(bytes.buffer);
      chunks++;
      if (returning) stream.returnChunk(bytes);
    }
    return { bytes: Buffer.concat(copies), memory, chunks };
  }

  it('reads the whole file, then closes it', async () => {
    const { stream, handle } = await open();
    const { bytes } = await readAll(stream, false);
    expect(bytes.equals(data)).toBe(true);
    if (!stream.closed) await once(stream, 'close');
    // The handle is closed: a read on it fails.
    await expect(handle.read(Buffer.alloc(1), 0, 1, 0)).rejects.toThrow();
  });

  it('reads an inclusive range', async () => {
    const { stream } = await open(MiB - 7, 3 * MiB + 9);
    const { bytes } = await readAll(stream, false);
    expect(bytes.equals(data.subarray(MiB - 7, 3 * MiB + 10))).toBe(true);
  });

  it('reads returned chunks into the same memory again', async () => {
    const { stream } = await open();
    const { bytes, memory, chunks } = await readAll(stream, true);
    expect(bytes.equals(data)).toBe(true);
    expect(chunks).toBe(6);
    // One chunk read ahead at most, so two buffers serve all six chunks.
    expect(memory.size).toBeLessThanOrEqual(2);
  });

  it('never reuses a chunk that was not returned', async () => {
    const { stream } = await open();
    const held: Buffer[] = [];
    for await (const chunk of stream) held.push(chunk as Buffer);
    expect(new Set(held.map((chunk) => chunk.buffer)).size).toBe(held.length);
    expect(Buffer.concat(held).equals(data)).toBe(true);
  });

  it('ignores a chunk it did not lend and one returned twice', async () => {
    const { stream } = await open();
    const stranger = Buffer.alloc(MiB, 1);
    const seen: Buffer[] = [];
    for await (const chunk of stream) {
      const bytes = chunk as Buffer;
      seen.push(Buffer.from(bytes));
      stream.returnChunk(stranger);
      stream.returnChunk(bytes);
      stream.returnChunk(bytes);
    }
    expect(Buffer.concat(seen).equals(data)).toBe(true);
    expect(stranger.every((byte) => byte === 1)).toBe(true);
  });

  it('reads in chunks of the size it was given', async () => {
    const handle = await fs.open(file, 'r');
    const stream = new FileReadStream(handle, 10, 300_000, 64 * 1024);
    const sizes: number[] = [];
    const copies: Buffer[] = [];
    for await (const chunk of stream) {
      sizes.push((chunk as Buffer).length);
      copies.push(Buffer.from(chunk as Buffer));
      stream.returnChunk(chunk as Buffer);
    }
    expect(sizes).toEqual([65536, 65536, 65536, 65536, 37847]);
    expect(Buffer.concat(copies).equals(data.subarray(10, 300_001))).toBe(true);
  });

  it('closes the file when destroyed part way', async () => {
    const { stream, handle } = await open();
    stream.once('data', () => stream.destroy());
    await once(stream, 'close');
    await expect(handle.read(Buffer.alloc(1), 0, 1, 0)).rejects.toThrow();
  });
});
