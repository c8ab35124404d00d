import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { REPO_ROOT, startScriptNodeArgs } from './harness';

describe('the Node.js options Depot runs with', () => {
  it('are the same for npm start, the Docker image and the benchmark', () => {
    const args = startScriptNodeArgs();
    const dockerfile = readFileSync(path.join(REPO_ROOT, 'Dockerfile'), 'utf8');
    const cmd = /^CMD (\[.*\])$/m.exec(dockerfile);
    expect(cmd).not.toBeNull();
    expect(JSON.parse(cmd![1])).toEqual(['node', ...args, 'dist/apps/server/src/main.js']);
  });
});
