import { spawn } from "node:child_process";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { openSqliteStore } from "../adapters/sqlite/index.js";
import { decodeValue } from "../src/serialization.js";
import { tempDir } from "./support/temp-dir.js";

const child = fileURLToPath(new URL("./fixtures/sqlite-kill-child.ts", import.meta.url));
const racerScript = fileURLToPath(new URL("./fixtures/sqlite-race-child.ts", import.meta.url));

/** Runs the child until it has reported `lines` resolved commits, then SIGKILLs it. */
async function runAndKill(file: string, lines: number): Promise<Map<string, number>> {
  const proc = spawn(process.execPath, ["--import", "tsx", child, file], { stdio: ["ignore", "pipe", "pipe"] });
  let stderr = "";
  proc.stderr.on("data", (chunk) => (stderr += String(chunk)));
  const exited = new Promise<NodeJS.Signals | null>((resolve) => proc.on("exit", (_code, signal) => resolve(signal)));
  const reported = new Map<string, number>();
  let count = 0;
  for await (const line of createInterface({ input: proc.stdout })) {
    const [id, seq] = line.split(" ");
    reported.set(id ?? "", Number(seq));
    if (++count === lines) {
      proc.kill("SIGKILL");
      break;
    }
  }
  const signal = await exited;
  if (signal !== "SIGKILL") throw new Error(`the child ended by itself (${signal}): ${stderr}`);
  return reported;
}

/** Starts one racing child; `go()` releases it, `done` is what it printed at its end. */
function racer(file: string, tag: string) {
  const proc = spawn(process.execPath, ["--import", "tsx", racerScript, file, tag, "40"], { stdio: ["pipe", "pipe", "pipe"] });
  let stderr = "";
  proc.stderr.on("data", (chunk) => (stderr += String(chunk)));
  const lines = createInterface({ input: proc.stdout })[Symbol.asyncIterator]();
  const exited = new Promise<number | null>((resolve) => proc.on("exit", resolve));
  const next = async () => {
    const line = await lines.next();
    if (line.done) throw new Error(`racer ${tag} failed (${await exited}): ${stderr}`);
    return line.value;
  };
  return {
    ready: next(),
    go: () => proc.stdin.end("go\n"),
    done: async () => JSON.parse(await next()) as { tag: string; wins: number; conflicts: number },
  };
}

describe("SQLite store across processes", () => {
  it("lets exactly one of several processes win each append, and loses none", async () => {
    const file = join(tempDir("sqlite-race"), "flux.db");
    await (await openSqliteStore(file)).close();
    const racers = ["p1", "p2", "p3"].map((tag) => racer(file, tag));
    expect(await Promise.all(racers.map((r) => r.ready))).toEqual(["ready", "ready", "ready"]);
    for (const r of racers) r.go();
    const results = await Promise.all(racers.map((r) => r.done()));
    const store = await openSqliteStore(file);
    const log = await store.load("race");
    await store.close();
    const wins = results.reduce((sum, r) => sum + r.wins, 0);
    expect(log.length).toBe(3 * wins);
    expect(log.map((e) => e.id)).toEqual(log.map((_, i) => i));
    for (let i = 0; i < log.length; i += 3) {
      const commit = log.slice(i, i + 3).map((e) => decodeValue(e.value) as { tag: string; round: number; part: number });
      expect(commit.map((v) => v.part)).toEqual([0, 1, 2]);
      expect(new Set(commit.map((v) => `${v.tag}.${v.round}`)).size).toBe(1);
    }
    expect(results.reduce((sum, r) => sum + r.conflicts, 0)).toBeGreaterThan(0); // they did race
    for (const r of results) {
      expect(r.wins + r.conflicts).toBe(40);
      expect(log.filter((e) => e.name === r.tag).length).toBe(3 * r.wins);
    }
  });
});

describe("SQLite store under kill -9", () => {
  it("keeps every commit the child saw resolve, and never a partial batch", async () => {
    const file = join(tempDir("sqlite-kill"), "flux.db");
    const reportedEver = new Map<string, number>();
    // Each run continues the logs of the previous one, after its recovery.
    for (const lines of [1, 8, 31, 90, 200]) {
      const reported = await runAndKill(file, lines);
      for (const [id, seq] of reported) reportedEver.set(id, Math.max(seq, reportedEver.get(id) ?? -1));

      const raw = new Database(file);
      expect(raw.pragma("integrity_check", { simple: true })).toBe("ok");
      raw.close();
      const store = await openSqliteStore(file);
      const logs = Object.fromEntries(await Promise.all(["a", "b", "c"].map(async (id) => [id, await store.load(id)] as const)));
      for (const [id, seq] of reportedEver) {
        expect(logs[id]?.length, `execution ${id}: seq ${seq} was reported resolved`).toBeGreaterThan(seq);
      }
      for (const [id, log] of Object.entries(logs)) {
        expect(log.map((e) => e.id)).toEqual(log.map((_, i) => i));
        for (const event of log) expect(decodeValue(event.value)).toMatchObject({ executionId: id, seq: event.id });
        expect((await store.get(id))?.events ?? 0).toBe(log.length);
      }
      // Whole commits only, and a and b only together (one commitBatch).
      expect(logs.a!.length % 3).toBe(0);
      expect(logs.b!.length % 2).toBe(0);
      expect(logs.c!.length % 4).toBe(0);
      expect(logs.a!.length / 3).toBe(logs.b!.length / 2);
      await store.close();
    }
    expect(reportedEver.get("a")).toBeGreaterThan(100);
  });
});
