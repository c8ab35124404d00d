import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { findFreeLoopbackPort } from '../../libs/database/src/embedded-postgres.launcher';

export interface SpawnedServer {
  baseUrl: string;
  pid: number;
  /** Everything the process wrote so far (stdout and stderr). */
  output(): string;
  kill(signal?: NodeJS.Signals): void;
  /** Resolves with the exit code (or signal) when the process ends. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const REPO_ROOT = path.resolve(__dirname, '../..');

/**
 * Runs the server as its own OS process (`main.ts` through @swc-node/register, which honours the
 * tsconfig path aliases) on a free loopback port, and resolves once `/health` answers 200.
 * For multi-process, restart and SIGKILL tests. Give `env.DATABASE_URL` (a database from
 * `createTestDatabase()`, or `''` for an embedded PostgreSQL in `DATA_DIR`) whenever this process
 * has one of its own, as jest workers do.
 */
export async function spawnServer(
  env: Record<string, string>,
  timeoutMs = 90_000,
  /** A compiled entry point (`dist/apps/server/src/main.js`) to run instead, as `npm start` does (benchmarks). */
  compiledMain?: string,
): Promise<SpawnedServer> {
  // Never fall back to a DATABASE_URL this process inherited (in tests, the shared server's default
  // database): a spawned server would migrate and fill it. Without one, the embedded cluster is used.
  if (env.DATABASE_URL === undefined && process.env.DATABASE_URL)
    throw new Error(
      'spawnServer: pass DATABASE_URL (from createTestDatabase()), or "" for the embedded PostgreSQL',
    );
  const port = env.PORT ? Number(env.PORT) : await findFreeLoopbackPort();
  const args = compiledMain ? [compiledMain] : ['-r', '@swc-node/register', 'apps/server/src/main.ts'];
  // Built files may live outside the repository: they find its node_modules through NODE_PATH.
  const nodePath = compiledMain ? { NODE_PATH: path.join(REPO_ROOT, 'node_modules') } : {};
  const child = spawn(process.execPath, args, {
    cwd: REPO_ROOT,
    env: { ...process.env, HOST: '127.0.0.1', LOG_LEVEL: 'log', ...nodePath, ...env, PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  let hasExited = false;
  void exited.then(() => (hasExited = true));
  const baseUrl = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (hasExited) throw new Error(`Server exited during start-up:\n${output}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`Server did not become healthy within ${timeoutMs} ms:\n${output}`);
    }
    try {
      const response = await fetch(`${baseUrl}/health`);
      if (response.status === 200) break;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return {
    baseUrl,
    pid: child.pid ?? -1,
    output: () => output,
    kill: (signal = 'SIGTERM') => {
      child.kill(signal);
    },
    exited,
  };
}
