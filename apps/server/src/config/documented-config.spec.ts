import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { loadDepotConfig } from './load-depot-config';

const REPO_ROOT = path.resolve(__dirname, '../../../..');
const CONFIGURATION_DOC = path.join(REPO_ROOT, 'docs', 'configuration.md');
const NAME = '[A-Z][A-Z0-9_]*';
/** `process.env.X`, `process.env['X']`, `env.X`, `env['X']` and the loader's `read.<kind>('X', ...)`. */
const ENV_USES = [
  new RegExp(`\\b(?:process\\.)?env\\.(${NAME})\\b`, 'g'),
  new RegExp(`\\b(?:process\\.)?env\\[\\s*['"\`](${NAME})['"\`]\\s*\\]`, 'g'),
  new RegExp(`\\bread\\.\\w+\\(\\s*['"\`](${NAME})['"\`]`, 'g'),
];

/** The variable names a piece of source reads. */
function variablesNamedIn(source: string): string[] {
  return ENV_USES.flatMap((pattern) => [...source.matchAll(pattern)].map((match) => match[1]));
}

/** Every non-spec TypeScript file of the server and the libraries. */
function serverSources(directory = REPO_ROOT, relative = ''): string[] {
  return readdirSync(path.join(directory, relative), { withFileTypes: true }).flatMap((entry) => {
    const child = path.join(relative, entry.name);
    if (entry.isDirectory())
      return relative === '' && !['apps', 'libs'].includes(entry.name) ? [] : serverSources(directory, child);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts')
      ? [path.join(directory, child)]
      : [];
  });
}

/** What `loadDepotConfig` asks its environment for, with the default and the MinIO driver. */
function variablesReadByTheLoader(): Set<string> {
  const names = new Set<string>();
  for (const given of [{}, { STORAGE_DRIVER: 'minio' }]) {
    const env = new Proxy<Record<string, string | undefined>>(given, {
      get(target, name) {
        if (typeof name === 'string') names.add(name);
        return Reflect.get(target, name) as string | undefined;
      },
    });
    try {
      loadDepotConfig(env);
    } catch {
      // MinIO without its settings is refused, after every setting was read.
    }
  }
  return names;
}

/** The names written as `NAME` in configuration.md. */
function documented(): Set<string> {
  const text = readFileSync(CONFIGURATION_DOC, 'utf8');
  return new Set([...text.matchAll(new RegExp(`\`(${NAME})\``, 'g'))].map((match) => match[1]));
}

/** The variables the "## Variables" table lists in its first column. */
function tableVariables(): string[] {
  const text = readFileSync(CONFIGURATION_DOC, 'utf8');
  const section = text.slice(
    text.indexOf('## Variables'),
    text.indexOf('\n## ', text.indexOf('## Variables') + 1),
  );
  return section
    .split('\n')
    .filter((line) => line.startsWith('| `'))
    .flatMap((line) => [...line.split('|')[1].matchAll(new RegExp(`\`(${NAME})\``, 'g'))].map((m) => m[1]));
}

describe('docs/configuration.md', () => {
  const fromLoader = variablesReadByTheLoader();
  const fromSources = new Set(
    serverSources().flatMap((file) => variablesNamedIn(readFileSync(file, 'utf8'))),
  );

  it('finds what the server reads (so the check below cannot pass on an empty list)', () => {
    expect(variablesNamedIn("x = process.env.FOO_BAR; y = env['BAZ']; read.size('QUX_SIZE', 1)")).toEqual([
      'FOO_BAR',
      'BAZ',
      'QUX_SIZE',
    ]);
    for (const known of ['PORT', 'DATABASE_URL', 'MINIO_BUCKET', 'SHUTDOWN_TIMEOUT_MS'])
      expect([...fromLoader]).toContain(known);
    expect(serverSources()).toContain(path.join(REPO_ROOT, 'apps/server/src/config/load-depot-config.ts'));
    expect([...fromSources]).toEqual(expect.arrayContaining(['MAX_BINARY_SIZE', 'MINIO_BUCKET']));
  });

  it('documents every variable the server reads', () => {
    const names = documented();
    const undocumented = [...new Set([...fromLoader, ...fromSources])].filter((name) => !names.has(name));
    expect(undocumented.sort()).toEqual([]);
  });

  it('lists in its table only variables the server reads', () => {
    const read = new Set([...fromLoader, ...fromSources]);
    expect(tableVariables().length).toBeGreaterThan(20);
    expect(tableVariables().filter((name) => !read.has(name))).toEqual([]);
  });
});
