import contentDisposition from 'content-disposition';
import { attachmentDisposition, MAX_DOWNLOAD_NAME_BYTES, shortenFileName } from './attachment-disposition';

// What Node refuses in a header value, and what some clients refuse: anything but printable ASCII.
const printableAscii = (value: string): boolean => /^[\x20-\x7e]*$/.test(value);
const fileNameOf = (header: string): string => contentDisposition.parse(header).parameters.filename;

describe('attachmentDisposition', () => {
  it.each([
    ['report.pdf', 'attachment; filename="report.pdf"'],
    ['a "quoted" name.txt', 'attachment; filename="a \\"quoted\\" name.txt"'],
    ['../../etc/passwd', 'attachment; filename=".._.._etc_passwd"'],
    [
      'line\r\nX-Evil: 1',
      'attachment; filename="line__X-Evil: 1"; filename*=UTF-8\'\'line%0D%0AX-Evil%3A%201',
    ],
    ['Grüße €.txt', 'attachment; filename="Gr__e _.txt"; filename*=UTF-8\'\'Gr%C3%BC%C3%9Fe%20%E2%82%AC.txt'],
    ['日本語', 'attachment; filename="___"; filename*=UTF-8\'\'%E6%97%A5%E6%9C%AC%E8%AA%9E'],
    ['100%41.txt', 'attachment; filename="100%41.txt"; filename*=UTF-8\'\'100%2541.txt'],
  ])('%j', (name, expected) => {
    const header = attachmentDisposition(name);
    expect(header).toBe(expected);
    expect(printableAscii(header)).toBe(true);
  });

  it('round-trips a short name exactly (path separators aside)', () => {
    const name = 'ünïcødé "x"\r\n/y\\z.bin';
    expect(fileNameOf(attachmentDisposition(name))).toBe(name.replace(/[/\\]/g, '_'));
  });

  it('keeps the header small for a huge name, and decodes to its start plus its extension', () => {
    const name = `${'漢'.repeat(300_000)}.tar.gz`;
    const header = attachmentDisposition(name);
    expect(header.length).toBeLessThan(1100);
    expect(printableAscii(header)).toBe(true);
    const decoded = fileNameOf(header);
    expect(Buffer.byteLength(decoded)).toBeLessThanOrEqual(MAX_DOWNLOAD_NAME_BYTES);
    expect(decoded.endsWith('.gz')).toBe(true);
    expect(name.startsWith(decoded.slice(0, -'.gz'.length))).toBe(true);
  });
});

describe('shortenFileName', () => {
  it('leaves a name within the limit alone', () => {
    expect(shortenFileName('abc.txt', 7)).toBe('abc.txt');
  });

  it('cuts on a code point, never inside one, and keeps the extension', () => {
    // '€' is 3 bytes: 2 of them fit in 10 bytes minus '.txt'.
    expect(shortenFileName('€€€€.txt', 10)).toBe('€€.txt');
    // '😀' is 4 bytes (two UTF-16 units): never half of it.
    expect(shortenFileName('😀😀😀', 7)).toBe('😀');
  });

  it('treats a long "extension" as part of the name', () => {
    const name = `a.${'b'.repeat(100)}`;
    expect(shortenFileName(name, 10)).toBe(name.slice(0, 10));
  });

  it('replaces lone surrogates, which cannot be percent-encoded', () => {
    expect(shortenFileName('a\ud800b', 20)).toBe('a\ufffdb');
    expect(() => attachmentDisposition('a\ud800b')).not.toThrow();
  });
});
