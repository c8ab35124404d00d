import { PassThrough, Readable, Writable } from 'node:stream';
import { feedInto, IncompleteUploadError } from './feed-into';

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
    source.destroy(new Error('client went away'));
    const error = await new Promise<Error>((resolve) => sink.on('error', resolve));
    expect(error.message).toBe('client went away');
  });

  it('destroys the sink when the source closes before its end', async () => {
    const source = new PassThrough();
    const sink = collect();
    feedInto(source, sink);
    source.write('partial');
    source.destroy();
    const error = await new Promise<Error>((resolve) => sink.on('error', resolve));
    expect(error).toBeInstanceOf(IncompleteUploadError);
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
