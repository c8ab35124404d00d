import { IncomingMessage } from 'node:http';
import { Socket } from 'node:net';
import { PassThrough, Readable, Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { IncompleteBodyError } from '@depot/common';
import { feedInto } from './feed-into';

const collect = (): Writable & { received: Buffer[] } => {
  const received: Buffer[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      received.push(chunk);
      callback();
    },
  }) as Writable & { received: Buffer[] };
  sink.received = received;
  return sink;
};

describe('feedInto', () => {
  it('passes every byte and ends the sink', async () => {
    const sink = collect();
    feedInto(Readable.from([Buffer.from('a'), Buffer.from('b')]), sink);
    await new Promise((resolve) => sink.on('finish', resolve));
    expect(Buffer.concat(sink.received).toString()).toBe('ab');
  });

  it('destroys the sink with the source error', async () => {
    const source = new PassThrough();
    const sink = collect();
    feedInto(source, sink);
    source.destroy(new Error('source broke'));
    const error = await new Promise<Error>((resolve) => sink.on('error', resolve));
    expect(error.message).toBe('source broke');
  });

  it('destroys the sink with IncompleteBodyError when a request breaks off (the client’s doing)', async () => {
    const source = new IncomingMessage(new Socket());
    const sink = collect();
    feedInto(source, sink);
    source.destroy(Object.assign(new Error('aborted'), { code: 'ECONNRESET' }));
    const error = await new Promise<Error>((resolve) => sink.on('error', resolve));
    expect(error).toBeInstanceOf(IncompleteBodyError);
  });

  it.each([
    ['closed', (source: Readable) => source.destroy()],
    ['errored', (source: Readable) => source.destroy(new Error('aborted'))],
  ])(
    'destroys the sink at once when the request had already %s before feeding began',
    async (_label, end) => {
      const source = new IncomingMessage(new Socket());
      source.on('error', () => undefined);
      source.push('partial');
      end(source);
      await new Promise((resolve) => source.once('close', resolve));
      const sink = collect();
      feedInto(source, sink);
      // Its consumer attaches later (after an await) and still sees the failure, and nothing throws.
      await new Promise((resolve) => setImmediate(resolve));
      await expect(finished(sink)).rejects.toBeInstanceOf(IncompleteBodyError);
    },
  );

  it('destroys the sink when the request closes before its end', async () => {
    const source = new IncomingMessage(new Socket());
    const sink = collect();
    feedInto(source, sink);
    source.push('partial');
    source.destroy();
    const error = await new Promise<Error>((resolve) => sink.on('error', resolve));
    expect(error).toBeInstanceOf(IncompleteBodyError);
  });

  it('unpipes but keeps the source usable when the sink fails (e.g. the size limit)', async () => {
    const source = new PassThrough();
    const sink = new Writable({
      write(_chunk, _encoding, callback) {
        callback(new Error('too large'));
      },
    });
    sink.on('error', () => undefined);
    feedInto(source, sink);
    source.write('x');
    await new Promise((resolve) => sink.on('close', resolve));
    expect(source.destroyed).toBe(false);
    expect(source.listenerCount('data')).toBe(0);
  });
});
