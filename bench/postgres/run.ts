/**
 * `npm run bench:postgres`: the PostgreSQL store beside the SQLite store, in one run, on this
 * machine: sequential steps/s and ctx.map tasks/s on each (a throwaway PostgreSQL cluster of
 * Debian's postgresql with its default durability, fsync and synchronous_commit on; SQLite in
 * WAL with synchronous = FULL), then executions/s with 1, 2 and 3 runner processes draining the
 * same due work from one database (the fleet's scaling curve), and DBOS Transact beside flux-ts on
 * the same cluster (`side-by-side.ts`). Prints the load average with each section. Figures only.
 *
 * Options: `--runs N` (default 3: the median is printed, with min–max), `--executions M`
 * (default 1,000, for the scaling curve).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { openPostgresStore } from "../../adapters/postgres/index.js";
import { SqliteStore } from "../../adapters/sqlite/index.js";
import { Engine, workflow } from "../../src/index.js";
import type { StateStore } from "../../src/state-store.js";
import { startPostgres } from "../../test/support/postgres-cluster.js";
import { noop, secondsSince, sequentialWorkflow } from "../lib/noop.js";
import { job, jobSleep } from "./job.js";
import { sideBySide } from "./side-by-side.js";

function option(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}
const runs = option("--runs", 3);
const executions = option("--executions", 1000);
const steps = 2_000;
const tasks = 10_000;
const sequential = sequentialWorkflow(steps);
const items = Array.from({ length: tasks }, (_, i) => i);
const fanOut = workflow("fan_out", async (ctx) => (await ctx.map(noop, items)).length);

const cluster = await startPostgres({ durable: true });
const dir = mkdtempSync(join(tmpdir(), "flux-bench-pg-"));
let schemas = 0;
const open: Record<"postgres" | "sqlite", () => Promise<StateStore>> = {
  postgres: () => openPostgresStore({ url: cluster.url(), schema: `bench_${++schemas}` }),
  sqlite: () => new SqliteStore(join(dir, `bench-${++schemas}.db`)).ready(),
};

/** The median and the range of `samples`. */
function figure(samples: number[]): string {
  const sorted = [...samples].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)]!;
  const round = (n: number) => Math.round(n).toLocaleString("en-US");
  return `${round(median).padStart(7)}  (${round(sorted[0]!)}–${round(sorted.at(-1)!)})`;
}

/** Runs `flow` on a fresh store of each kind `runs` times; per second of `count`. */
async function compare(title: string, unit: string, count: number, run: (engine: Engine) => Promise<unknown>): Promise<void> {
  const medians: Record<string, number> = {};
  for (const kind of ["sqlite", "postgres"] as const) {
    const samples: number[] = [];
    for (let i = 0; i <= runs; i += 1) {
      const store = await open[kind]();
      const engine = new Engine({ store });
      const start = performance.now();
      await run(engine);
      const seconds = secondsSince(start);
      await engine.close();
      await store.close();
      if (i > 0) samples.push(count / seconds); // the first run warms up
    }
    medians[kind] = [...samples].sort((a, b) => a - b)[Math.floor(samples.length / 2)]!;
    console.log(`${title.padEnd(34)} ${kind.padEnd(9)} ${figure(samples)} ${unit}`);
  }
  console.log(`${"".padEnd(34)} PostgreSQL ÷ SQLite: ${(medians.postgres! / medians.sqlite!).toFixed(2)}`);
}

/** Seeds `executions` due executions of `job` in a fresh schema; resolves to it. */
async function seed(): Promise<string> {
  const schema = `fleet_${++schemas}`;
  const store = await openPostgresStore({ url: cluster.url(), schema });
  const engine = new Engine({ store, holdSleepsUpTo: 0, wakeOnItsOwn: false });
  for (let i = 0; i < executions; i += 100) {
    await Promise.all(Array.from({ length: Math.min(100, executions - i) }, () => engine.run(job, undefined)));
  }
  await engine.close(); // closes its store too
  const check = await openPostgresStore({ url: cluster.url(), schema, poolSize: 1 });
  const stillSleeping = (await check.list({ workflow: "job", state: "paused", limit: 1000 })).executions.length;
  await check.close();
  if (stillSleeping < Math.min(executions, 1000)) throw new Error(`only ${stillSleeping} of ${executions} seeded executions sleep: the sleep ended before it was recorded`);
  await new Promise((resolve) => setTimeout(resolve, jobSleep)); // every sleep is over: all due
  return schema;
}

const runnerEntry = fileURLToPath(new URL("./runner.ts", import.meta.url));

/** Starts `n` runner processes on `schema`, says go, and resolves to executions/s once all are done, and each runner's share. */
async function drain(schema: string, n: number): Promise<{ rate: number; shares: number[] }> {
  const children: ChildProcess[] = [];
  const outputs: string[] = [];
  try {
    for (let i = 0; i < n; i += 1) {
      const child = spawn(process.execPath, ["--import", "tsx", runnerEntry, cluster.url(), schema, `runner-${i}`], { stdio: ["pipe", "pipe", "inherit"] });
      children.push(child);
      outputs.push("");
      child.stdout!.setEncoding("utf8").on("data", (chunk: string) => (outputs[i] += chunk));
    }
    while (outputs.some((out) => !out.includes("ready"))) await new Promise((resolve) => setTimeout(resolve, 20));
    const store = await openPostgresStore({ url: cluster.url(), schema, poolSize: 1 });
    const start = performance.now();
    for (const child of children) child.stdin!.write("go\n");
    for (;;) {
      const page = await store.list({ workflow: "job", state: "succeeded", limit: 1000 });
      if (page.executions.length >= Math.min(executions, 1000) && (await store.due({ until: Date.now(), limit: 1 })).length === 0) break;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    const seconds = secondsSince(start);
    await store.close();
    const exited = children.map((child) => new Promise<void>((resolve) => child.once("exit", () => resolve())));
    for (const child of children) child.kill("SIGTERM");
    await Promise.all(exited);
    const shares = outputs.map((out) => (JSON.parse(out.trim().split("\n").at(-1)!) as { steps: number }).steps);
    return { rate: executions / seconds, shares };
  } finally {
    for (const child of children) if (child.exitCode === null) child.kill("SIGKILL");
  }
}

try {
  console.log(`flux-ts on PostgreSQL ${cluster.url().replace(/\/postgres$/, "")} (fsync, synchronous_commit on) vs SQLite (WAL, FULL) — ${new Date().toISOString()}, median of ${runs} runs after a warm-up`);
  console.log(`load average ${loadavg().map((v) => v.toFixed(1)).join(" ")}`);
  await compare(`Sequential, ${steps.toLocaleString("en-US")} steps`, "steps/s", steps, (engine) => engine.run(sequential, undefined));
  await compare(`ctx.map over ${tasks.toLocaleString("en-US")} tasks`, "tasks/s", tasks, (engine) => engine.run(fanOut, undefined));
  console.log(`load average ${loadavg().map((v) => v.toFixed(1)).join(" ")}`);
  await sideBySide(cluster, { runs, steps, executions, figure });
  console.log(`load average ${loadavg().map((v) => v.toFixed(1)).join(" ")}`);
  console.log(`Fleet: ${executions.toLocaleString("en-US")} due executions (6 steps around a durable sleep, 3 of them run by the runners) drained by N runner processes on one database`);
  const base: number[] = [];
  for (const n of [1, 2, 3]) {
    const samples: number[] = [];
    let shares: number[] = [];
    for (let i = 0; i < runs; i += 1) {
      const result = await drain(await seed(), n);
      samples.push(result.rate);
      shares = result.shares;
    }
    const median = [...samples].sort((a, b) => a - b)[Math.floor(samples.length / 2)]!;
    if (n === 1) base.push(median);
    const bodies = shares.reduce((sum, count) => sum + count, 0);
    console.log(`  ${n} runner(s)${"".padEnd(21)} ${figure(samples)} executions/s  ×${(median / base[0]!).toFixed(2)} of 1 runner; step bodies per runner (last run): ${shares.join(" / ")} = ${bodies} (${bodies === executions * 3 ? "3 per execution: none ran twice" : `expected ${executions * 3}`})`);
  }
} finally {
  await cluster.stop();
  rmSync(dir, { recursive: true, force: true });
}
