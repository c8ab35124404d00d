import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { resolveSessionSecret, SESSION_SECRET_FILE } from './session-secret';

describe('resolveSessionSecret', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'depot-secret-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('uses the configured secret and writes nothing', () => {
    expect(resolveSessionSecret('x'.repeat(32), dir).toString()).toBe('x'.repeat(32));
    expect(() => statSync(path.join(dir, SESSION_SECRET_FILE))).toThrow();
  });

  it('generates a key once in DATA_DIR (0600) and reads the same one afterwards', () => {
    const first = resolveSessionSecret(undefined, path.join(dir, 'data'));
    expect(first.length).toBeGreaterThanOrEqual(43);
    expect(statSync(path.join(dir, 'data', SESSION_SECRET_FILE)).mode & 0o777).toBe(0o600);
    expect(resolveSessionSecret(undefined, path.join(dir, 'data'))).toEqual(first);
  });
});
