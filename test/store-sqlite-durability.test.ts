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
