import { CumulocityError } from '@depot/common';
import { assertApplicationFilePath, assertPluginName } from './assert-plugin-name';

function statusOf(action: () => unknown): number | undefined {
  try {
    action();
    return undefined;
  } catch (error) {
    return error instanceof CumulocityError ? error.status : -1;
  }
}

describe('assertPluginName', () => {
  it.each(['myplugin', 'My_Plugin-1.2.3', '..hidden', 'a', '-', '_.'])('accepts %j', (name) => {
    expect(assertPluginName(name)).toBe(name);
  });

  it.each(['', '.', '..', 'a/b', '../x', 'a\\b', 'a b', 'ä', 'a%2Fb', 'a\u0000', 'x'.repeat(256), 'a:b'])(
    'rejects %j with 400',
    (name) => {
      expect(statusOf(() => assertPluginName(name))).toBe(400);
    },
  );
});

describe('assertApplicationFilePath', () => {
  it.each(['index.html', 'assets/app.js', 'ünï/файл.txt'])('accepts %j', (path) => {
    expect(assertApplicationFilePath(path)).toBe(path);
  });

  it.each(['', '/etc/passwd', '../x', 'a/../b', 'a//b', 'a/', 'a\\b', 'a\u0000b', 'C:/x', './a'])(
    'rejects %j with 400',
    (path) => {
      expect(statusOf(() => assertApplicationFilePath(path))).toBe(400);
    },
  );
});
