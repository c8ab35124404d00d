import { chooseContentType, isMediaType } from './content-type';

describe('content type', () => {
  it.each(['image/png', 'text/plain; charset=utf-8', 'application/vnd.example+json', 'x/y;a="b c"'])(
    'accepts %j',
    (value) => expect(isMediaType(value)).toBe(true),
  );

  it.each(['', 'c8y_upload', 'text', 'text/plain\r\nX: y', 'a/b c', 42, null])('rejects %j', (value) =>
    expect(isMediaType(value)).toBe(false),
  );

  it('prefers the first specific type, then falls back to octet-stream', () => {
    expect(chooseContentType('image/png', 'text/plain')).toBe('image/png');
    expect(chooseContentType('application/octet-stream', 'application/pdf')).toBe('application/pdf');
    expect(chooseContentType(undefined, 'c8y_upload')).toBe('application/octet-stream');
    expect(chooseContentType()).toBe('application/octet-stream');
  });
});
