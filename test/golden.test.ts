import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { describe, expect, test } from "vitest";
import { Engine, NonDeterminismError, replayHistory, type StoredEvent, type Workflow } from "flux-ts";
import { deterministicWorkflow } from "../examples/determinism.js";
import { helloWorld } from "../examples/hello_world.js";
import { multiStageWorkflow } from "../examples/multiple_pause_points.js";
import { nestedTasksWorkflow } from "../examples/nested_tasks.js";
import { parallelTasksWorkflow } from "../examples/parallel_tasks.js";
import { pauseWorkflow } from "../examples/pause.js";
import { simpleGraph } from "../examples/simple_graph.js";
import { pipelineWorkflow } from "../examples/simple_pipeline.js";
import { mainWorkflow } from "../examples/subflows.js";
import { taskRetries } from "../examples/task_retries.js";

/**
 * Golden histories: executions recorded by an earlier version of the code, replayed on every
 * run. A change that would break executions in flight fails here. `GOLDEN_RECORD=1 npx vitest
 * run test/golden.test.ts` records missing fixtures (only ever add; never rewrite an old one).
 */
interface Golden {
  readonly name: string;
  readonly workflow: Workflow<unknown, unknown>;
  readonly record: (engine: Engine) => Promise<string>;
}

const goldens: Golden[] = [
  { name: "hello_world", workflow: helloWorld, record: async (engine) => (await helloWorld.run("World", { engine })).executionId },
  { name: "determinism", workflow: deterministicWorkflow, record: async (engine) => (await deterministicWorkflow.run(undefined, { engine })).executionId },
  {
    name: "pause_resumed", workflow: pauseWorkflow, record: async (engine) => {
      const ctx = await pauseWorkflow.run(undefined, { engine });
      return (await pauseWorkflow.resume(ctx.executionId, "signed", { engine })).executionId;
    },
  },
  { name: "multi_stage_paused", workflow: multiStageWorkflow, record: async (engine) => (await multiStageWorkflow.run(undefined, { engine })).executionId },
  { name: "nested_tasks", workflow: nestedTasksWorkflow, record: async (engine) => (await nestedTasksWorkflow.run("hey", { engine })).executionId },
  { name: "parallel_tasks", workflow: parallelTasksWorkflow, record: async (engine) => (await parallelTasksWorkflow.run("Ana", { engine })).executionId },
  { name: "simple_pipeline", workflow: pipelineWorkflow, record: async (engine) => (await pipelineWorkflow.run(4, { engine })).executionId },
  { name: "simple_graph", workflow: simpleGraph, record: async (engine) => (await simpleGraph.run("Graph", { engine })).executionId },
  { name: "subflows", workflow: mainWorkflow, record: async (engine) => (await mainWorkflow.run("abc", { engine })).executionId },
  { name: "task_retries", workflow: taskRetries, record: async (engine) => (await taskRetries.run(undefined, { engine })).executionId },
];

const fixture = (name: string) => new URL(`./golden/${name}.json`, import.meta.url);

function load(name: string): StoredEvent[] {
  const file = fixture(name);
  if (!existsSync(file)) throw new Error(`missing golden history ${file.pathname}: record it with GOLDEN_RECORD=1`);
  return (JSON.parse(readFileSync(file, "utf8")) as { events: StoredEvent[] }).events;
}

describe("golden histories", () => {
  for (const golden of goldens) {
    test(`${golden.name} replays against today's code`, async () => {
      if (process.env.GOLDEN_RECORD === "1" && !existsSync(fixture(golden.name))) {
        const engine = new Engine();
        const id = await golden.record(engine);
        writeFileSync(fixture(golden.name), `${JSON.stringify({ workflow: golden.workflow.name, events: await engine.store.load(id) }, null, 2)}\n`);
      }
      const events = load(golden.name);
      expect(events.length).toBeGreaterThan(2);
      const recordedOutput = events.at(-1)!.type === "WORKFLOW_COMPLETED" ? JSON.parse(events.at(-1)!.value) : undefined;
      const output = await replayHistory(golden.workflow, events);
      if (recordedOutput !== undefined) expect(JSON.parse(JSON.stringify(output ?? null))).toEqual(JSON.parse(JSON.stringify(recordedOutput)));
    });
  }

  test("a history with a renamed task raises NonDeterminismError naming the step", async () => {
    const events = load("hello_world").map((e) => (e.sourceId === "1" ? { ...e, name: "say_hi" } : e));
    const error = await replayHistory(helloWorld, events).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NonDeterminismError);
    expect((error as Error).message).toContain('step 1 was recorded as task "say_hi", but the code now calls task "say_hello"');
  });

  test("a history with an inserted step raises NonDeterminismError naming the step", async () => {
    const original = load("simple_pipeline");
    const shift = (e: StoredEvent) => (/^\d+$/.test(e.sourceId) && Number(e.sourceId) >= 2 ? { ...e, sourceId: String(Number(e.sourceId) + 1) } : e);
    const at = original.findIndex((e) => e.sourceId === "2");
    const time = original[at]!.time;
    const inserted: StoredEvent[] = [
      { id: 0, type: "TASK_STARTED", sourceId: "2", name: "audit", value: "[]", time },
      { id: 0, type: "TASK_COMPLETED", sourceId: "2", name: "audit", value: "null", time },
    ];
    const events = [...original.slice(0, at), ...inserted, ...original.slice(at).map(shift)].map((e, id) => ({ ...e, id }));
    const error = await replayHistory(pipelineWorkflow, events).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NonDeterminismError);
    expect((error as Error).message).toContain('step 2 was recorded as task "audit", but the code now calls task "add_three"');
  });

  test("a history missing a step the code calls raises NonDeterminismError", async () => {
    const events = load("simple_pipeline").filter((e) => e.sourceId !== "3");
    const error = await replayHistory(pipelineWorkflow, events).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NonDeterminismError);
    expect((error as Error).message).toContain('calls task "square" as step 3, which the history does not have');
  });
});
