import { planDownload, type DownloadValidators } from './plan-download';

const target: DownloadValidators = {
  etag: '"abc"',
  lastModified: new Date('2026-01-02T03:04:05.678Z'),
  length: 100,
};

describe('planDownload', () => {
  it('serves the whole content without conditions', () => {
    expect(planDownload(target, {})).toEqual({ status: 200 });
  });

  it.each([
    ['bytes=0-0', { start: 0, end: 0 }],
    ['bytes=10-19', { start: 10, end: 19 }],
    ['bytes=90-', { start: 90, end: 99 }],
    ['bytes=-1', { start: 99, end: 99 }],
    ['bytes=-500', { start: 0, end: 99 }],
    ['bytes=50-5000', { start: 50, end: 99 }],
    ['bytes= 1 - 2', { start: 1, end: 2 }],
    ['BYTES=1-2', { start: 1, end: 2 }],
    // Ranges that touch or overlap merge into one.
    ['bytes=0-1,2-3', { start: 0, end: 3 }],
    ['bytes=0-5,3-9', { start: 0, end: 9 }],
  ])('serves %s as one range (206)', (range, expected) => {
    expect(planDownload(target, { range })).toEqual({ status: 206, range: expected });
  });

  it.each(['bytes=100-', 'bytes=200-300', 'bytes=-0', 'bytes=5-1'])('answers %s with 416', (range) => {
    expect(planDownload(target, { range })).toEqual({ status: 416 });
  });

  it.each(['bytes=0-1,5-6', 'items=0-1', 'bytes=-', 'bytes=a-b', 'garbage'])(
    'ignores %s and serves the whole content',
    (range) => expect(planDownload(target, { range })).toEqual({ status: 200 }),
  );

  it('finds nothing to satisfy in empty content', () => {
    const empty = { ...target, length: 0 };
    expect(planDownload(empty, { range: 'bytes=0-' })).toEqual({ status: 416 });
    expect(planDownload(empty, { range: 'bytes=-5' })).toEqual({ status: 416 });
    expect(planDownload(empty, {})).toEqual({ status: 200 });
  });

  it('answers 304 for a matching If-None-Match, weakly compared, or *', () => {
    expect(planDownload(target, { ifNoneMatch: '"abc"' })).toEqual({ status: 304 });
    expect(planDownload(target, { ifNoneMatch: '"x", W/"abc"' })).toEqual({ status: 304 });
    expect(planDownload(target, { ifNoneMatch: '*' })).toEqual({ status: 304 });
    expect(planDownload(target, { ifNoneMatch: '"other"' })).toEqual({ status: 200 });
  });

  it('uses If-Modified-Since only without If-None-Match', () => {
    const later = 'Fri, 02 Jan 2026 03:04:05 GMT';
    const earlier = 'Fri, 02 Jan 2026 03:04:04 GMT';
    expect(planDownload(target, { ifModifiedSince: later })).toEqual({ status: 304 });
    expect(planDownload(target, { ifModifiedSince: earlier })).toEqual({ status: 200 });
    expect(planDownload(target, { ifModifiedSince: 'not a date' })).toEqual({ status: 200 });
    expect(planDownload(target, { ifModifiedSince: later, ifNoneMatch: '"other"' })).toEqual({ status: 200 });
  });

  it('answers 304 before looking at the range', () => {
    expect(planDownload(target, { ifNoneMatch: '"abc"', range: 'bytes=500-' })).toEqual({ status: 304 });
  });

  it('honours If-Range: the range only while the tag (strongly) or the date still matches', () => {
    const range = 'bytes=0-9';
    expect(planDownload(target, { range, ifRange: '"abc"' }).status).toBe(206);
    expect(planDownload(target, { range, ifRange: '"stale"' }).status).toBe(200);
    expect(planDownload(target, { range, ifRange: 'W/"abc"' }).status).toBe(200);
    expect(planDownload(target, { range, ifRange: 'Fri, 02 Jan 2026 03:04:05 GMT' }).status).toBe(206);
    expect(planDownload(target, { range, ifRange: 'Fri, 02 Jan 2026 03:04:06 GMT' }).status).toBe(200);
    expect(planDownload(target, { range: 'bytes=500-', ifRange: '"stale"' }).status).toBe(200);
  });
});
