import { randomUUID } from "node:crypto";
import { link, mkdir, open, readdir, readFile, rename, stat, unlink } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { GuardedBlobStore } from "../blobs/guarded-blob-store.js";
import { defaultSqlitePath } from "../sqlite/sqlite-store.js";

/** The default blob directory: `.flux/blobs` under the current directory, beside `.flux/flux.db`. */
export function defaultBlobDirectory(): string {
  return join(dirname(defaultSqlitePath()), "blobs");
}

/** Options of {@link FileBlobStore}. */
export interface FileBlobStoreOptions {
  /**
   * How old a temporary file (a write cut short by a crash) must be before the store removes it
   * on open, in ms (default one hour: a younger one may belong to another process's running put).
   */
  readonly staleTempMs?: number;
}

/**
 * The Node {@link BlobStore}: one file per blob in a directory (default `.flux/blobs` beside the
 * SQLite file), sharded into sub-directories by the first two characters of the key's digest
 * (`sha256-ab12…` lives in `ab/`), the file named by the key and holding the text as UTF-8.
 *
 * Durability: a `put` resolves after the text is written to a temporary file, the file is
 * fsynced, linked under its key (a link never replaces an existing file, so a key keeps its first
 * text) and the directory is fsynced: a `kill -9` or a power cut at any point leaves the key
 * absent or whole, never torn. Temporary files live in `.tmp/` (never a shard), and those older
 * than `staleTempMs`, left by a crash, are removed on open. Several processes may share the
 * directory. On a file system without hard links the store renames instead, after checking that
 * the key is absent. Keys differing only in case name the same file on a case-insensitive file
 * system (macOS, Windows); the engine's keys are lower-case hex.
 *
 * @example
 * import { FileBlobStore } from "flux-ts/node";
 * const blobs = new FileBlobStore(); // .flux/blobs
 * await blobs.put("sha256-ab12", '{"big":true}');
 */
export class FileBlobStore extends GuardedBlobStore {
  /** The directory of the blobs, absolute. */
  readonly directory: string;
  protected readonly label: string;
  readonly #staleTempMs: number;
  readonly #shards = new Set<string>();
  /** Where puts write before linking: `.tmp`, never a shard (shards start with a letter or digit). */
  readonly #temp: string;
  #ready: Promise<void> | undefined;

  constructor(directory: string = defaultBlobDirectory(), options: FileBlobStoreOptions = {}) {
    super();
    this.directory = resolve(directory);
    this.label = `FileBlobStore(${this.directory})`;
    this.#temp = join(this.directory, ".tmp");
    this.#staleTempMs = options.staleTempMs ?? 60 * 60 * 1000;
  }

  /** The file of `key` (which is a valid blob key: no separator, never `.` or `..`). */
  pathOf(key: string): string {
    return join(this.directory, shardOf(key), key);
  }

  protected async write(key: string, data: string): Promise<void> {
    await this.#open();
    const file = this.pathOf(key);
    if (await exists(file)) return;
    const shard = await this.#shard(key);
    const temp = join(this.#temp, `${randomUUID()}.tmp`);
    const handle = await open(temp, "wx");
    try {
      await handle.writeFile(data, "utf8");
      await handle.sync();
    } finally {
      await handle.close();
    }
    try {
      await publish(temp, file);
    } finally {
      await unlink(temp).catch(ignoreMissing);
    }
    await syncDirectory(shard);
  }

  protected async read(key: string): Promise<string | undefined> {
    await this.#open();
    return readFile(this.pathOf(key), "utf8").catch((error: unknown) => (code(error) === "ENOENT" ? undefined : Promise.reject(error)));
  }

  protected async remove(key: string): Promise<void> {
    await this.#open();
    const file = this.pathOf(key);
    try {
      await unlink(file);
    } catch (error) {
      return ignoreMissing(error);
    }
    await syncDirectory(dirname(file));
  }

  protected async release(): Promise<void> {
    await this.#ready?.catch(() => undefined);
  }

  /** Creates the directories and removes stale temporary files, once. */
  #open(): Promise<void> {
    this.#ready ??= (async () => {
      // Directories this creates are made durable in their parents, as shard directories are.
      const created = await mkdir(this.directory, { recursive: true });
      for (let made = this.directory; created !== undefined; made = dirname(made)) {
        await syncDirectory(dirname(made));
        if (made === created || dirname(made) === made) break;
      }
      await mkdir(this.#temp, { recursive: true });
      const staleBefore = Date.now() - this.#staleTempMs;
      for (const name of await readdir(this.#temp)) {
        const file = join(this.#temp, name);
        const info = await stat(file).catch(() => undefined);
        if (info !== undefined && info.mtimeMs < staleBefore) await unlink(file).catch(ignoreMissing);
      }
    })().catch((error: unknown) => {
      this.#ready = undefined; // the next call tries again
      throw error;
    });
    return this.#ready;
  }

  /** The shard directory of `key`, created (and its creation made durable) on first use. */
  async #shard(key: string): Promise<string> {
    const shard = join(this.directory, shardOf(key));
    if (!this.#shards.has(shard)) {
      if ((await mkdir(shard, { recursive: true })) !== undefined) await syncDirectory(this.directory);
      this.#shards.add(shard);
    }
    return shard;
  }
}

/** The two characters after the key's last "-" when they are letters or digits (a digest), else its first two. */
function shardOf(key: string): string {
  const tail = key.slice(key.lastIndexOf("-") + 1);
  return /^[A-Za-z0-9]{2}/.test(tail) ? tail.slice(0, 2) : key.slice(0, 2);
}

/** Makes the whole `temp` file visible as `file`, never replacing a file already there. */
async function publish(temp: string, file: string): Promise<void> {
  try {
    await link(temp, file);
  } catch (error) {
    if (code(error) === "EEXIST") return;
    if (!["EPERM", "ENOTSUP", "EOPNOTSUPP", "ENOSYS", "EXDEV"].includes(code(error) ?? "")) throw error;
    // No hard links here: rename, which replaces atomically; a racing put of the key wrote the same text.
    if (!(await exists(file))) await rename(temp, file);
  }
}

async function syncDirectory(directory: string): Promise<void> {
  const handle = await open(directory, "r");
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

async function exists(file: string): Promise<boolean> {
  return stat(file).then(() => true, (error: unknown) => (code(error) === "ENOENT" ? false : Promise.reject(error)));
}

function code(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | undefined)?.code;
}

function ignoreMissing(error: unknown): void {
  if (code(error) !== "ENOENT") throw error;
}
