import { expect, test } from "vitest";
import { Engine, MemoryStore, StoreError, ConflictError, VirtualClock, task, workflow, type Workflow } from "flux-ts";
import { helloWorld } from "../examples/hello_world.js";
import { multiStageWorkflow } from "../examples/multiple_pause_points.js";
import { nestedTasksWorkflow } from "../examples/nested_tasks.js";
import { simpleGraph } from "../examples/simple_graph.js";
import { pipelineWorkflow } from "../examples/simple_pipeline.js";
import { mainWorkflow, subWorkflow } from "../examples/subflows.js";
import { taskFallbackAfterRetry } from "../examples/task_fallback_after_retry.js";
import { taskMap } from "../examples/task_map.js";
import { taskRetries } from "../examples/task_retries.js";
import { taskRollback } from "../examples/task_rollback.js";
import { FaultyStore } from "./support/faulty-store.js";
import { seededRandom } from "./support/seeded-random.js";

/** A workflow whose steps take random virtual time, sleep durably and run in parallel. */
const jitter = task.withContext("jitter", async (tc, label: string, ms: number) => {
  for (let i = ms % 3; i > 0; i--) await new Promise((r) => setImmediate(r));
  return `${label}@${tc.stepId}`;
});
const scheduled = workflow("scheduled", async (ctx) => {
  const delays = ctx.input as number[];
  const parallel = await ctx.parallel(
    async (b) => [await b.run(jitter, "a", delays[0]!), await b.run(jitter, "b", delays[1]!)],
    async (b) => { await b.sleep(delays[2]!); return b.run(jitter, "c", delays[3]!); },
  );
  await ctx.sleep(delays[4]!);
  return { parallel, last: await ctx.run(jitter, "d", 0) };
});

/** A value as compared across runs: errors by class, message and cause. */
function comparable(value: unknown): unknown {
  if (value instanceof Error) return { error: value.name, message: value.message, cause: comparable(value.cause) };
  return value === undefined ? null : JSON.parse(JSON.stringify(value));
}

interface Case {
  readonly workflow: Workflow<unknown, unknown>;
  readonly input: (random: () => number) => unknown;
  /** Values to resume pauses with, in order. */
  readonly resumes?: readonly unknown[];
  /** The subworkflows it calls (a runner must know them to recover or wake their executions). */
  readonly children?: readonly Workflow<unknown, unknown>[];
}

const cases: Case[] = [
  { workflow: helloWorld as Workflow<unknown, unknown>, input: (r) => `n${Math.floor(r() * 100)}` },
  { workflow: pipelineWorkflow as Workflow<unknown, unknown>, input: (r) => Math.floor(r() * 50) },
  { workflow: nestedTasksWorkflow as Workflow<unknown, unknown>, input: () => "hey" },
  { workflow: simpleGraph as Workflow<unknown, unknown>, input: () => "Sim" },
  { workflow: mainWorkflow as Workflow<unknown, unknown>, input: () => "abc", children: [subWorkflow as Workflow<unknown, unknown>] },
  { workflow: taskMap as Workflow<unknown, unknown>, input: (r) => Array.from({ length: 1 + Math.floor(r() * 8) }, (_, i) => `w${i} x`) },
  { workflow: taskRetries as Workflow<unknown, unknown>, input: () => undefined },
  { workflow: taskFallbackAfterRetry as Workflow<unknown, unknown>, input: () => undefined },
  { workflow: taskRollback as Workflow<unknown, unknown>, input: () => undefined },
  { workflow: multiStageWorkflow as Workflow<unknown, unknown>, input: () => undefined, resumes: ["ok", "ok"] },
  { workflow: scheduled as Workflow<unknown, unknown>, input: (r) => Array.from({ length: 5 }, () => Math.floor(r() * 10_000)) },
];

/**
 * Drives an execution to its end through faults, as runners would: every failed run is followed
 * by a fresh engine that starts it (if its start never landed), resumes its pause (with the
 * case's next value), or otherwise runs what is due (`wakeDue`: recovery of runs whose runner
 * failed, parents whose child finished, timers).
 */
async function drive(store: FaultyStore | MemoryStore, clock: VirtualClock, c: Case, input: unknown, executionId: string) {
  const resumes = [...(c.resumes ?? [])];
  for (let attempt = 0; attempt < 200; attempt++) {
    const engine = new Engine({ store, clock, workflows: [c.workflow, ...(c.children ?? [])], onDispatchError: () => undefined });
    try {
      const summary = await store.get(executionId);
      if (summary === undefined) await c.workflow.run(input, { engine, executionId });
      else if (summary.state === "paused" && summary.waits?.[0]?.kind === "pause") await c.workflow.resume(executionId, resumes.shift(), { engine });
      else if (summary.state !== "succeeded" && summary.state !== "failed") await engine.wakeDue();
      const ctx = (await engine.inspect(executionId))!;
      if (ctx.finished) return { ctx, attempts: attempt + 1 };
    } catch (error) {
      if (!(error instanceof StoreError) && !(error instanceof ConflictError)) throw error;
    }
  }
  throw new Error("did not finish in 200 recoveries");
}

/** One seeded schedule: the fault-free reference, then the faulty run; returns what a replay of the seed must reproduce. */
async function simulate(seed: number) {
  const random = seededRandom(seed);
  const c = cases[seed % cases.length]!;
  const input = c.input(random);
  const reference = await drive(new MemoryStore(), new VirtualClock({ auto: true }), c, input, `ref-${seed}`);
  const faulty = new FaultyStore(new MemoryStore(), random, { failBefore: 0.1, failAfter: 0.1, slow: 0.3 });
  const { ctx, attempts } = await drive(faulty, new VirtualClock({ auto: true }), c, input, `sim-${seed}`);
  const events = await faulty.load(`sim-${seed}`);
  return { c, reference, ctx, attempts, events, injected: faulty.injected };
}

test("a seed replays exactly: same faults, same recoveries, same log", async () => {
  for (let seed = 7; seed < 57; seed++) {
    const [a, b] = [await simulate(seed), await simulate(seed)];
    const shape = (r: typeof a) => ({ injected: r.injected, attempts: r.attempts, log: r.events.map((e) => `${e.type}:${e.sourceId}:${e.name}`) });
    expect(shape(b), `seed ${seed}`).toEqual(shape(a));
  }
});

test("1,000 seeded schedules with store faults end as the fault-free run does", async () => {
  const base = Number(process.env.FLUX_SIM_SEED ?? 1);
  const runs = Number(process.env.FLUX_SIM_RUNS ?? 1000);
  let faults = 0;
  let recoveries = 0;
  const outcomes = { succeeded: 0, failed: 0 };
  for (let seed = base; seed < base + runs; seed++) {
    const c = cases[seed % cases.length]!;
    try {
      const { reference, ctx, attempts, events, injected } = await simulate(seed);
      expect(ctx.state).toBe(reference.ctx.state);
      expect(comparable(ctx.output)).toEqual(comparable(reference.ctx.output));
      expect(events.map((e) => e.id)).toEqual(events.map((_, i) => i));
      expect(events.filter((e) => e.type === "WORKFLOW_STARTED")).toHaveLength(1);
      expect(events.filter((e) => e.type === "WORKFLOW_COMPLETED" || e.type === "WORKFLOW_FAILED")).toHaveLength(1);
      faults += injected;
      recoveries += attempts - 1;
      outcomes[ctx.succeeded ? "succeeded" : "failed"] += 1;
    } catch (error) {
      throw new Error(`simulation seed ${seed} (${c.workflow.name}) failed; replay it with FLUX_SIM_SEED=${seed} FLUX_SIM_RUNS=1: ${String(error)}`, { cause: error });
    }
  }
  console.log(`simulation: ${runs} schedules from seed ${base}, ${faults} injected store faults, ${recoveries} recoveries, ${outcomes.succeeded} succeeded, ${outcomes.failed} failed cleanly (as in the fault-free runs)`);
  expect(faults).toBeGreaterThan(runs / 10);
  expect(outcomes.succeeded + outcomes.failed).toBe(runs);
}, 240_000);
