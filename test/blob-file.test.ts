import { existsSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { FileBlobStore } from "../adapters/node/file-blob-store.js";
import { StoreError } from "../src/errors.js";
import { blobText, crashKey } from "./support/blob-crash-writer.js";
import { testBlobStore } from "./blob-conformance.js";
import { spawnTs, type TsChild } from "./support/spawn-child.js";
import { tempDir } from "./support/temp-dir.js";

const root = tempDir("blobs");
let counter = 0;

/** Every file under `dir`, relative to it. */
function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true, recursive: true }).filter((e) => e.isFile()).map((e) => relative(dir, join(e.parentPath, e.name))).sort();
}

testBlobStore({
  name: "files (Node)",
  open: async () => new FileBlobStore(join(root, `store-${++counter}`, "blobs")),
  reopen: async (store) => new FileBlobStore((store as FileBlobStore).directory),
  // The parent of the blob directory too: a key like "../x" must not write beside it.
  footprint: async (store) => filesUnder(join((store as FileBlobStore).directory, "..")),
});

describe("FileBlobStore", () => {
  const live = new Set<TsChild>();
  afterAll(() => {
    for (const child of live) child.kill();
  });

  it("keeps a blob as one UTF-8 file under a shard of its digest, with no temporary file left", async () => {
    const store = new FileBlobStore(join(root, "layout"));
    await store.put("sha256-ab12cd", "é✓");
    expect(store.pathOf("sha256-ab12cd")).toBe(join(root, "layout", "ab", "sha256-ab12cd"));
    expect(readFileSync(store.pathOf("sha256-ab12cd"))).toEqual(Buffer.from("é✓", "utf8"));
    expect(filesUnder(join(root, "layout"))).toEqual([join("ab", "sha256-ab12cd")]);
    expect(readdirSync(join(root, "layout", ".tmp"))).toEqual([]);
    await store.close();
  });

  it("ignores a temporary file left by a crash, and removes it on open once it is stale", async () => {
    const dir = join(root, "leftover");
    const first = new FileBlobStore(dir);
    await first.put("sha256-ab01", "whole");
    const leftover = join(dir, ".tmp", "0f3e.tmp");
    writeFileSync(leftover, "tor");
    await first.close();
    const young = new FileBlobStore(dir);
    expect(await young.get("sha256-ab01")).toBe("whole");
    expect(existsSync(leftover), "a young temporary file may be another process's put in progress").toBe(true);
    await young.close();
    utimesSync(leftover, new Date(0), new Date(0));
    const later = new FileBlobStore(dir);
    expect(await later.get("sha256-ab01")).toBe("whole");
    expect(existsSync(leftover)).toBe(false);
    expect(filesUnder(dir)).toEqual([join("ab", "sha256-ab01")]);
    await later.close();
  });

  it("rejects with a StoreError naming the store, the call and the key when the directory cannot be made, and tries again later", async () => {
    const blocker = join(root, "blocker");
    writeFileSync(blocker, "a file where the directory should be");
    const store = new FileBlobStore(join(blocker, "blobs"));
    const error = await store.put("sha256-ab", "x").then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(StoreError);
    expect((error as Error).message).toContain(`FileBlobStore(${join(blocker, "blobs")}).put("sha256-ab") failed`);
    rmSync(blocker);
    await store.put("sha256-ab", "x");
    expect(await store.get("sha256-ab")).toBe("x");
    await store.close();
  });

  it("defaults to .flux/blobs beside .flux/flux.db under the current directory", () => {
    expect(new FileBlobStore().directory).toBe(join(process.cwd(), ".flux", "blobs"));
  });

  it("leaves only whole blobs when a process writing many is killed with SIGKILL", async () => {
    const dir = join(root, "crash");
    const script = fileURLToPath(new URL("./support/blob-crash-writer.ts", import.meta.url));
    const child = spawnTs(script, [dir], {}, 120_000);
    live.add(child);
    try {
      await child.waitFor("running");
      // Kill it mid-stream: after it reported some blobs whole, while it writes more.
      await new Promise<void>((resolve) => {
        const poll = setInterval(() => {
          if (child.lines().length > 40) {
            clearInterval(poll);
            resolve();
          }
        }, 5);
      });
      child.kill();
      const exit = await child.exited;
      expect(exit.signal, exit.stderr).toBe("SIGKILL");
      const reported = child.lines().filter((l) => l.startsWith("put ")).map((l) => Number(l.slice(4)));
      expect(reported.length).toBeGreaterThan(30);
      const store = new FileBlobStore(dir);
      const present: number[] = [];
      for (let i = 0; i < 100_000; i++) {
        const text = await store.get(crashKey(i));
        if (text === undefined) {
          if (i > Math.max(...reported) + 64) break;
          continue;
        }
        expect(text === blobText(i), `blob ${i} is whole`).toBe(true);
        present.push(i);
      }
      for (const i of reported) expect(present, `blob ${i} was reported put`).toContain(i);
      await store.close();
    } finally {
      child.kill();
      await child.exited;
      live.delete(child);
    }
  }, 180_000);
});
