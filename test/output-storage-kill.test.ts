// Output storage through a SIGKILL: a value kept in the blob store is put (durably) before the
// commit that records its reference, so a process killed between the two leaves an unreferenced
// blob (an orphan), never a reference to a missing blob; recovery runs the step again (its
// completion was not durable: the in-flight window) and the execution ends with every value
// readable. Killed after the commit, the step is not run again and its value is read back.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { openSqliteStore } from "../adapters/sqlite/index.js";
import { blobRefOf } from "../src/blobs/stored-blob.js";
import { spawnTs, type TsChild } from "./support/spawn-child.js";

const child = fileURLToPath(new URL("./fixtures/blob-kill-child.ts", import.meta.url));
const alive: TsChild[] = [];
const dirs: string[] = [];
afterAll(() => {
  for (const c of alive) c.kill();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function newDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "flux-blob-kill-"));
  dirs.push(dir);
  return dir;
}

function start(dir: string, mode: string): TsChild {
  const c = spawnTs(child, [join(dir, "flux.db"), join(dir, "blobs"), join(dir, "effects"), mode], {}, 60_000);
  alive.push(c);
  return c;
}

/** The blob files in `dir` by key (shard directories; `.tmp` is not a shard). */
function blobFiles(dir: string): Map<string, string> {
  if (!existsSync(dir)) return new Map();
  return new Map(readdirSync(dir).filter((name) => name !== ".tmp").flatMap((shard) => readdirSync(join(dir, shard)).map((key) => [key, join(dir, shard, key)] as const)));
}

function blobKeys(dir: string): string[] {
  return [...blobFiles(dir).keys()];
}

function effects(dir: string): string[] {
  return readFileSync(join(dir, "effects"), "utf8").split("\n").filter((line) => line !== "");
}

async function recover(dir: string): Promise<{ state: string; output: string; completed: string[]; referenced: string[] }> {
  const c = start(dir, "recover");
  const exit = await c.exited;
  const done = exit.stdout.split("\n").find((line) => line.startsWith("done "));
  if (done === undefined) throw new Error(`the recovering process printed no result (exit ${exit.code}): ${exit.stderr}`);
  return JSON.parse(done.slice(5));
}

async function recordedTypes(dir: string): Promise<string[]> {
  const store = await openSqliteStore(join(dir, "flux.db"));
  try {
    return (await store.load("blob-kill")).map((event) => `${event.type}${event.value !== undefined && blobRefOf(event.value) !== undefined ? " (blob)" : ""}`);
  } finally {
    await store.close();
  }
}

/** Starts a process in `mode`, SIGKILLs it once it printed `line`, and returns the recorded event types. */
async function killAt(dir: string, mode: string, line: string): Promise<string[]> {
  const runner = start(dir, mode);
  await runner.waitFor(line);
  runner.kill();
  await runner.exited;
  return recordedTypes(dir);
}

/**
 * Recovers the execution in a new process and checks that it ended as an uninterrupted run does,
 * with every reference the log holds naming a blob that is there, and the task bodies run as
 * `ran` says. Resolves with the blobs present that the log does not refer to.
 */
async function recoverAndCheck(dir: string, ran: readonly string[]): Promise<string[]> {
  const result = await recover(dir);
  expect(result.state).toBe("succeeded");
  expect(result.output).toBe(JSON.stringify("3000+4000"));
  expect(result.completed).toEqual([JSON.stringify("a".repeat(3000)), JSON.stringify("b".repeat(4000))]);
  const files = blobFiles(join(dir, "blobs"));
  expect(result.referenced.length).toBeGreaterThanOrEqual(3);
  for (const key of result.referenced) expect(files.has(key), `the log refers to ${key}, which is not in the blob store`).toBe(true);
  expect(effects(dir)).toEqual(ran);
  return [...files].filter(([key]) => !result.referenced.includes(key)).map(([, path]) => readFileSync(path, "utf8"));
}

describe("output storage through a SIGKILL", () => {
  it("killed while a blob's put is not durable yet: its reference was not committed, the step runs again", async () => {
    const dir = newDir();
    // The commit waits for the put: nothing refers to the blob that was never written.
    expect(await killAt(dir, "hang-before-put", "put started")).not.toContain("TASK_COMPLETED (blob)");
    // The first task ran twice: its completion was not durable when the process died.
    await recoverAndCheck(dir, ["first", "first", "second"]);
  });

  it("killed between a blob's put and the commit of its reference: an orphan blob, no dangling reference, the step runs again", async () => {
    const dir = newDir();
    // The blob is durable; the commit that would refer to it never happened.
    expect(await killAt(dir, "hang-after-put", "put durable")).not.toContain("TASK_COMPLETED (blob)");
    expect(blobKeys(join(dir, "blobs")).length).toBeGreaterThanOrEqual(2); // the input's and the first result's
    const orphans = await recoverAndCheck(dir, ["first", "first", "second"]);
    // What the killed commit would have referred to (the first task's result, and its argument:
    // a step's start and end go in one commit) is left behind unreferenced (documented: no sweep).
    expect(orphans.sort()).toEqual([JSON.stringify("a".repeat(3000)), "[3000]"].sort());
  });

  it("killed after the commit of a blob's reference: the step is not run again and its value is read back", async () => {
    const dir = newDir();
    expect(await killAt(dir, "hang-in-second", "second running")).toContain("TASK_COMPLETED (blob)");
    await recoverAndCheck(dir, ["first", "second", "second"]);
  });
});
