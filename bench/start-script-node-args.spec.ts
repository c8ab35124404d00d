import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { REPO_ROOT, startScriptNodeArgs } from './harness';

describe('the Node.js options Depot runs with', () => {
  it('are the same for npm start, the Docker image and the benchmark', () => {
    const args = startScriptNodeArgs();
    // The V8 heap limit sets how far the heap grows past its live size (docs/performance.md).
    expect(args).toContain('--max-old-space-size=1024');
    const dockerfile = readFileSync(path.join(REPO_ROOT, 'Dockerfile'), 'utf8');
    const cmd = /^CMD (\[.*\])$/m.exec(dockerfile);
    expect(cmd).not.toBeNull();
    expect(JSON.parse(cmd![1])).toEqual(['node', ...args, 'dist/apps/server/src/main.js']);
  });
});
