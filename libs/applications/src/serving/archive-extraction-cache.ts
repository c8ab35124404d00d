import { ArchiveWorkLimiter, inflateEntry, readArchive, servedPath } from '@depot/archive';
import { resolveInside } from '@depot/common';
import { Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';

/** An extracted archive and the index of what it holds (served, NFC paths without a leading slash). */
export interface ExtractedArchive {
  directory: string;
  /** File path → size in bytes. */
  files: ReadonlyMap<string, number>;
  /** Directory paths, explicit or implied by a file below them (`''` is the root). */
  directories: ReadonlySet<string>;
}

/**
 * This process's extracted archives, keyed by archive id. Archives are immutable, so an entry never
 * goes stale: activating another version changes which id is asked for, not what an id holds. Each
 * archive is extracted once (concurrent requests share the work and see the directory only when it
 * is complete) into a fresh directory, and the least recently used one is removed beyond `capacity`;
 * files being streamed stay readable after removal (open descriptors survive the unlink). Files are
 * written under their {@link servedPath} (NFC) names, the form requests are looked up by. Loading and
 * extracting hold the archive in memory, so they take a slot of the process's archive work limiter.
 */
export class ArchiveExtractionCache {
  private readonly logger = new Logger(ArchiveExtractionCache.name);
  private readonly root: string;
  /** Insertion order is recency order: a hit is moved to the end. */
  private readonly entries = new Map<string, Promise<ExtractedArchive>>();

  constructor(
    parentDir: string,
    private readonly capacity: number,
    private readonly work: ArchiveWorkLimiter = new ArchiveWorkLimiter(),
  ) {
    // One directory per process: several processes may share DATA_DIR.
    this.root = path.join(parentDir, `${process.pid}-${randomUUID().slice(0, 8)}`);
  }

  private staleRemoval?: Promise<void>;

  /** The directory holding archive `archiveId`'s files, extracting `load()`'s zip on a miss. */
  async directoryFor(archiveId: string, load: () => Promise<Buffer>): Promise<string> {
    return (await this.archiveFor(archiveId, load)).directory;
  }

  /**
   * Archive `archiveId` extracted, with an index of its files taken while extracting, so serving a
   * file needs no `stat` (the files never change).
   */
  archiveFor(archiveId: string, load: () => Promise<Buffer>): Promise<ExtractedArchive> {
    this.staleRemoval ??= this.removeStale();
    const cached = this.entries.get(archiveId);
    if (cached) {
      this.entries.delete(archiveId);
      this.entries.set(archiveId, cached);
      return cached;
    }
    const extraction = this.extract(archiveId, load);
    this.entries.set(archiveId, extraction);
    // A failed extraction is not cached: the next request tries again.
    extraction.catch(() => this.entries.delete(archiveId));
    this.evict();
    return extraction;
  }

  /** Removes everything this process extracted. */
  async clear(): Promise<void> {
    this.entries.clear();
    await fs.rm(this.root, { recursive: true, force: true });
  }

  private async extract(archiveId: string, load: () => Promise<Buffer>): Promise<ExtractedArchive> {
    await this.staleRemoval;
    // A fresh name, so a re-extraction never meets the removal of an evicted copy.
    const target = path.join(this.root, `${archiveId}-${randomUUID().slice(0, 8)}`);
    await fs.mkdir(target, { recursive: true });
    const files = new Map<string, number>();
    const directories = new Set<string>(['']);
    try {
      await this.work.run(async () => {
        const archive = readArchive(await load());
        // Stored archives passed validateArchive; resolveInside is the last line of defence anyway.
        for (const entry of archive.entries) {
          const name = servedPath(entry.name.replace(/\/$/, ''));
          const destination = resolveInside(target, name);
          if (entry.isDirectory) {
            await fs.mkdir(destination, { recursive: true });
            addDirectories(directories, name);
            continue;
          }
          await fs.mkdir(path.dirname(destination), { recursive: true });
          const chunks: Buffer[] = [];
          await inflateEntry(entry, JSON.stringify(entry.name), (chunk) => chunks.push(chunk));
          const content = Buffer.concat(chunks);
          await fs.writeFile(destination, content, { mode: 0o644 });
          files.set(name, content.length);
          addDirectories(directories, path.posix.dirname(name));
        }
      });
      this.logger.debug(`Extracted archive ${archiveId}`);
      return { directory: target, files, directories };
    } catch (error) {
      await fs.rm(target, { recursive: true, force: true });
      throw error;
    }
  }

  /** Directories of processes that died without cleaning up (`<pid>-<random>` whose pid is gone). */
  private async removeStale(): Promise<void> {
    const parent = path.dirname(this.root);
    let names: string[];
    try {
      names = await fs.readdir(parent);
    } catch {
      return;
    }
    for (const name of names) {
      const pid = Number(/^(\d+)-/.exec(name)?.[1]);
      if (!Number.isInteger(pid) || pid === process.pid || isAlive(pid)) continue;
      try {
        await fs.rm(path.join(parent, name), { recursive: true, force: true });
        this.logger.log(`Removed the extraction cache of exited process ${pid}`);
      } catch (error) {
        this.logger.warn(`Could not remove the extraction cache ${name}: ${String(error)}`);
      }
    }
  }

  private evict(): void {
    while (this.entries.size > this.capacity) {
      const [oldestId, oldest] = this.entries.entries().next().value as [string, Promise<ExtractedArchive>];
      this.entries.delete(oldestId);
      oldest
        .then(({ directory }) => fs.rm(directory, { recursive: true, force: true }))
        .catch((error: unknown) =>
          this.logger.warn(`Could not remove extracted archive ${oldestId}: ${String(error)}`),
        );
    }
  }
}

/** `name` and every directory above it (`.` is the root, as `path.posix.dirname` says it). */
function addDirectories(directories: Set<string>, name: string): void {
  let current = name;
  while (current !== '.' && current !== '' && !directories.has(current)) {
    directories.add(current);
    current = path.posix.dirname(current);
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
