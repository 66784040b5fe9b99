import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { setTimeout as sleep } from "node:timers/promises";
import { SqliteStore } from "../../adapters/sqlite/index.js";
import { startFluxServer, type FluxServer } from "./flux-server.js";
import { summarize } from "./stats.js";
import { fluxDb, seedWaiting, wakeWorkflowsFile } from "./wake-seed.js";

/** What the wake workloads seed: executions paused on a pause (approval), and sleeping a year. */
export const waiting = { paused: 10_000, sleeping: 1_000 } as const;

/** The workflows the server registers, as its dispatcher passes them to `due`. */
export const servedWorkflows = ["wake_approval", "wake_hello", "wake_timer"];

/**
 * A project directory seeded with {@link waiting} (or nothing), `flux start` serving
 * `wake-workflows.ts` on it (the real CLI, a child process on 127.0.0.1), and a connection of
 * this process to its database (to time `due`, and to read what the server recorded).
 */
export interface WakeSession {
  readonly dir: string;
  readonly path: string;
  readonly server: FluxServer;
  readonly store: SqliteStore;
  /** How long seeding took (ms). */
  readonly seedMs: number;
  close(): Promise<void>;
}

/**
 * Seeds a new directory with `counts`, starts the server on it and lets it settle for `settle`
 * ms: its start-up recovery pass and first polls, and, for an idle measurement, V8's
 * memory-reducing GCs ("Mark-Compact (reduce)" in --trace-gc), which run 8–10 s after the start
 * in the main thread and in tsx's module-hooks thread (60–70 ms of CPU here).
 */
export async function openWakeSession(counts: { paused: number; sleeping: number } = waiting, settle = 2_000): Promise<WakeSession> {
  const dir = mkdtempSync(join(tmpdir(), "flux-wake-"));
  // A sample that fails ends the process without a teardown: its server is killed then (flux-server.ts), and this removes the files.
  process.once("exit", () => rmSync(dir, { recursive: true, force: true }));
  let server: FluxServer | undefined;
  try {
    const seedMs = await seedWaiting(dir, counts);
    server = await startFluxServer(fileURLToPath(wakeWorkflowsFile), { cwd: dir });
    const store = await new SqliteStore(fluxDb(dir)).ready();
    await sleep(settle);
    const opened = server;
    return {
      dir, path: fluxDb(dir), server: opened, store, seedMs,
      async close() {
        await opened.stop();
        await store.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}

/** Latencies (ms) of `count` POSTs of `wake_hello` to the server, one every `every` ms (so that they fall at every phase of its 1 s poll). */
export async function postLatencies(server: FluxServer, count = 20, every = 100): Promise<number[]> {
  const latencies: number[] = [];
  for (let i = 0; i < count; i += 1) {
    const start = performance.now();
    const res = await fetch(`${server.url}/wake_hello`, { method: "POST", headers: { "content-type": "application/json" }, body: '"World"' });
    const body = (await res.json()) as { state?: string };
    const ms = performance.now() - start;
    if (res.status !== 200 || body.state !== "succeeded") throw new Error(`POST /wake_hello answered ${res.status}: ${JSON.stringify(body)}`);
    latencies.push(ms);
    await sleep(Math.max(0, every - ms));
  }
  return latencies;
}

/**
 * Median time (ms) of the dispatcher's query on this database, asked as the dispatcher asks it:
 * `due` up to 1 s from now, limit 1,000, the served workflows, `times` times, one every `every`
 * ms (so with the caches as cold as an idle poll finds them, not in a hot loop). Nothing may be due.
 */
export async function dueQueryMs(store: SqliteStore, times = 10, every = 1_000): Promise<number> {
  const samples: number[] = [];
  for (let i = 0; i < times; i += 1) {
    const start = performance.now();
    const due = await store.due({ until: Date.now() + 1000, limit: 1000, workflows: servedWorkflows });
    const ms = performance.now() - start;
    samples.push(ms);
    if (due.length !== 0) throw new Error(`${due.length} executions are due while the server idles`);
    await sleep(every - ms);
  }
  return summarize(samples).median;
}

/** "p50 X ms, max Y ms" of `values`. */
export function p50Max(values: readonly number[]): string {
  const { median, max } = summarize(values);
  return `p50 ${median.toFixed(1)} ms, max ${max.toFixed(1)} ms`;
}
