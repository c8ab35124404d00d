import { contentDisposition } from './content-disposition';

// What Node refuses in a header value: CR, LF, NUL and other control characters, non-Latin-1.
const validHeader = (value: string): boolean => /^[\x20-\x7e\t]*$/.test(value);

describe('contentDisposition', () => {
  it.each([
    ['report.pdf', 'attachment; filename="report.pdf"; filename*=UTF-8\'\'report.pdf'],
    [
      'a "quoted" name.txt',
      'attachment; filename="a _quoted_ name.txt"; filename*=UTF-8\'\'a%20%22quoted%22%20name.txt',
    ],
    ['../../etc/passwd', 'attachment; filename=".._.._etc_passwd"; filename*=UTF-8\'\'.._.._etc_passwd'],
    [
      'line\r\nX-Evil: 1',
      'attachment; filename="line__X-Evil: 1"; filename*=UTF-8\'\'line%0D%0AX-Evil%3A%201',
    ],
    ['Grüße €.txt', 'attachment; filename="Gr__e _.txt"; filename*=UTF-8\'\'Gr%C3%BC%C3%9Fe%20%E2%82%AC.txt'],
    ['日本語', 'attachment; filename="___"; filename*=UTF-8\'\'%E6%97%A5%E6%9C%AC%E8%AA%9E'],
    ["it's (1)*.txt", "attachment; filename=\"it's (1)*.txt\"; filename*=UTF-8''it%27s%20%281%29%2A.txt"],
  ])('%j', (name, expected) => {
    const header = contentDisposition(name);
    expect(header).toBe(expected);
    expect(validHeader(header)).toBe(true);
  });

  it('round-trips the exact name through filename*', () => {
    const name = 'ünïcødé "x"\r\n/y.bin';
    const encoded = /filename\*=UTF-8''(.*)$/.exec(contentDisposition(name))![1];
    expect(decodeURIComponent(encoded)).toBe(name.replace(/[/\\]/g, '_'));
  });
});
