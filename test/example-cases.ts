import { describe, expect, test } from "vitest";
import {
  Engine, ExecutionError, ExecutionTimeoutError, RetryError, secretsFrom,
  type EngineOptions, type StateStore, type WorkflowExecutionContext, type Workflow,
} from "flux-ts";
import { deterministicWorkflow } from "../examples/determinism.js";
import { fiboBenchmark } from "../examples/fibo_benchmark.js";
import { helloWorld } from "../examples/hello_world.js";
import { multiStageWorkflow } from "../examples/multiple_pause_points.js";
import { nestedTasksWorkflow } from "../examples/nested_tasks.js";
import { parallelSubflows } from "../examples/parallel_subflows.js";
import { parallelTasksWorkflow } from "../examples/parallel_tasks.js";
import { pauseWorkflow } from "../examples/pause.js";
import { simpleGraph } from "../examples/simple_graph.js";
import { pipelineWorkflow } from "../examples/simple_pipeline.js";
import { sleepWorkflow } from "../examples/sleep.js";
import { mainWorkflow } from "../examples/subflows.js";
import { computations, taskCache } from "../examples/task_cache.js";
import { taskFallback } from "../examples/task_fallback.js";
import { taskFallbackAfterRetry } from "../examples/task_fallback_after_retry.js";
import { taskFallbackAfterTimeout } from "../examples/task_fallback_after_timeout.js";
import { taskMap } from "../examples/task_map.js";
import { taskRetries } from "../examples/task_retries.js";
import { taskRollback, undone } from "../examples/task_rollback.js";
import { taskTimeout } from "../examples/task_timeout.js";
import { usingSecrets } from "../examples/using_secrets.js";
import { testEventExamples } from "./example-cases-events.js";

/** The event types of an execution, in order. */
export const typesOf = (ctx: WorkflowExecutionContext<never, unknown> | { events: readonly { type: string }[] }) => ctx.events.map((e) => e.type);

/**
 * Runs every example on stores made by `createStore`: outputs, event types, and that a second
 * run with the same executionId returns the same output and appends nothing. `moreOptions` adds
 * engine options (output storage with a tiny threshold, so that every value goes through it).
 */
export function testExamples(storeName: string, createStore: () => Promise<StateStore> | StateStore, moreOptions?: () => EngineOptions | Promise<EngineOptions>): void {
  describe(`examples on ${storeName}`, () => {
    async function engine(): Promise<Engine> {
      return new Engine({ store: await createStore(), secrets: secretsFrom({ SUPER_SECRET: "s3cr3t-value" }), ...(await moreOptions?.()) });
    }

    /** Runs `wf`, then replays it by id, and checks the replay changed nothing. */
    async function runAndReplay<I, O>(wf: Workflow<I, O>, input: I) {
      const e = await engine();
      const ctx = await wf.run(input, { engine: e });
      const count = ctx.events.length;
      const again = await wf.run(undefined, { engine: e, executionId: ctx.executionId });
      expect(again.output).toEqual(ctx.output);
      expect(again.events.length).toBe(count);
      const stored = await e.store.load(ctx.executionId);
      expect(stored.length).toBe(count);
      return { ctx, engine: e };
    }

    test("hello_world", async () => {
      const { ctx } = await runAndReplay(helloWorld, "World");
      expect(ctx.output).toBe("Hello, World");
      expect(ctx.succeeded && ctx.finished && !ctx.failed && !ctx.paused).toBe(true);
      expect(typesOf(ctx)).toEqual(["WORKFLOW_STARTED", "TASK_STARTED", "TASK_COMPLETED", "WORKFLOW_COMPLETED"]);
      expect(ctx.name).toBe("hello_world");
      expect(ctx.input).toBe("World");
    });

    test("hello_world without input fails with the TypeError as cause", async () => {
      const { ctx } = await runAndReplay(helloWorld, "");
      expect(ctx.failed).toBe(true);
      expect(ctx.output).toBeInstanceOf(ExecutionError);
      expect((ctx.output as ExecutionError).cause).toBeInstanceOf(TypeError);
      expect(typesOf(ctx)).toEqual(["WORKFLOW_STARTED", "WORKFLOW_FAILED"]);
    });

    test("determinism: a replay returns what the first run saw", async () => {
      const { ctx } = await runAndReplay(deterministicWorkflow, undefined);
      const output = ctx.output as { elapsed: number; id: string; dice: number; pick: number };
      expect(output.id).toMatch(/^[0-9a-f-]{36}$/);
      expect(output.dice).toBeGreaterThanOrEqual(1);
      expect(output.dice).toBeLessThanOrEqual(5);
      expect(output.pick).toBeGreaterThanOrEqual(1);
      expect(output.pick).toBeLessThan(10);
      expect(output.elapsed).toBeGreaterThanOrEqual(0);
      expect(ctx.events.filter((e) => e.type === "TASK_COMPLETED")).toHaveLength(5);
    });

    test("pause: runs to the pause, resumes with a value", async () => {
      const e = await engine();
      const ctx = await pauseWorkflow.run(undefined, { engine: e });
      expect(ctx.paused).toBe(true);
      expect(ctx.output).toBeUndefined();
      expect(typesOf(ctx).slice(-2)).toEqual(["TASK_PAUSED", "WORKFLOW_PAUSED"]);
      const done = await pauseWorkflow.resume(ctx.executionId, "signed off", { engine: e });
      expect(done.output).toBe("Data processed and signed off");
      expect(typesOf(done)).toContain("TASK_RESUMED");
      expect(typesOf(done)).toContain("WORKFLOW_RESUMED");
      const again = await pauseWorkflow.run(undefined, { engine: e, executionId: ctx.executionId });
      expect(again.events.length).toBe(done.events.length);
      expect(again.output).toBe("Data processed and signed off");
    });

    test("pause: run again by id without a value resumes it (as in the seeds)", async () => {
      const e = await engine();
      const ctx = await pauseWorkflow.run(undefined, { engine: e });
      const done = await pauseWorkflow.run(undefined, { engine: e, executionId: ctx.executionId });
      expect(done.output).toBe("Data processed and approved");
    });

    test("multiple pause points", async () => {
      const e = await engine();
      const first = await multiStageWorkflow.run(undefined, { engine: e });
      expect(first.paused).toBe(true);
      const second = await multiStageWorkflow.resume(first.executionId, undefined, { engine: e });
      expect(second.paused).toBe(true);
      expect(second.events.filter((ev) => ev.type === "TASK_PAUSED").map((ev) => ev.name)).toEqual(["verify_data", "review_processing"]);
      const third = await multiStageWorkflow.resume(first.executionId, undefined, { engine: e });
      expect(third.succeeded).toBe(true);
      expect(third.output).toBe(60);
    });

    test("nested tasks are steps of their own", async () => {
      const { ctx } = await runAndReplay(nestedTasksWorkflow, "hello");
      expect(ctx.output).toBe("HELLO!");
      const started = ctx.events.filter((e) => e.type === "TASK_STARTED").map((e) => `${e.sourceId}:${e.name}`);
      expect(started).toEqual(["1:shout", "1.1:upper_case", "1.2:exclaim"]);
    });

    test("parallel tasks: results in call order", async () => {
      const { ctx } = await runAndReplay(parallelTasksWorkflow, "Ana");
      expect(ctx.output).toEqual(["Hi, Ana", "Hello, Ana", "Hola, Ana", "Olá, Ana"]);
      expect(ctx.events.filter((e) => e.type === "TASK_COMPLETED")).toHaveLength(4);
    });

    test("simple pipeline", async () => {
      const { ctx } = await runAndReplay(pipelineWorkflow, 5);
      expect(ctx.output).toBe(169);
      expect(ctx.events.filter((e) => e.type === "TASK_STARTED").map((e) => e.name)).toEqual(["multiply_by_two", "add_three", "square"]);
    });

    test("simple graph", async () => {
      const { ctx } = await runAndReplay(simpleGraph, "Graph");
      expect(ctx.output).toBe("Hello, Graph");
      expect(ctx.events.filter((e) => e.type === "TASK_STARTED").map((e) => e.name)).toEqual(["hello_world_graph", "get_name", "say_hello"]);
    });

    test("subflows: the child is an execution of its own", async () => {
      const { ctx, engine: e } = await runAndReplay(mainWorkflow, "abc");
      expect(ctx.output).toBe("abc -> cba");
      const child = await e.inspect(`${ctx.executionId}.1`);
      expect(child?.name).toBe("sub_workflow");
      expect(child?.output).toBe("cba");
      expect(typesOf(child!)).toEqual(["WORKFLOW_STARTED", "TASK_STARTED", "TASK_COMPLETED", "WORKFLOW_COMPLETED"]);
    });

    test("parallel subflows", async () => {
      const repos = ["python/cpython", "honojs/hono", "edurdias/flux"];
      const { ctx } = await runAndReplay(parallelSubflows, repos);
      expect(ctx.output).toEqual({ "python/cpython": 62000, "honojs/hono": 20000, "edurdias/flux": 50 });
      const empty = await parallelSubflows.run([], { engine: await engine() });
      expect(empty.failed).toBe(true);
      expect(((empty.output as ExecutionError).cause as Error).message).toBe("Repository list cannot be empty");
    });

    test("sleep", async () => {
      const { ctx } = await runAndReplay(sleepWorkflow, 30);
      expect(ctx.output as number).toBeGreaterThanOrEqual(30);
      expect(ctx.events.filter((e) => e.name === "sleep").map((e) => e.type)).toEqual(["TASK_STARTED", "TASK_COMPLETED"]);
    });

    test("fibo benchmark", async () => {
      const { ctx } = await runAndReplay(fiboBenchmark, { iterations: 20, n: 30 });
      expect(ctx.output).toBe(832040);
      expect(ctx.events.filter((e) => e.type === "TASK_COMPLETED")).toHaveLength(20);
    });

    test("task retries", async () => {
      const { ctx } = await runAndReplay(taskRetries, undefined);
      expect(ctx.output).toBe("succeeded on attempt 2");
      expect(typesOf(ctx)).toEqual([
        "WORKFLOW_STARTED", "TASK_STARTED",
        "TASK_RETRY_STARTED", "TASK_RETRY_FAILED", "TASK_RETRY_STARTED", "TASK_RETRY_COMPLETED",
        "TASK_COMPLETED", "WORKFLOW_COMPLETED",
      ]);
      const delays = ctx.events.filter((e) => e.type === "TASK_RETRY_STARTED").map((e) => (e.value as { delay: number }).delay);
      expect(delays).toEqual([10, 20]);
    });

    test("task fallback", async () => {
      const { ctx } = await runAndReplay(taskFallback, undefined);
      expect(ctx.output).toBe("fallback result");
      expect(typesOf(ctx)).toEqual(["WORKFLOW_STARTED", "TASK_STARTED", "TASK_FALLBACK_STARTED", "TASK_FALLBACK_COMPLETED", "TASK_COMPLETED", "WORKFLOW_COMPLETED"]);
    });

    test("task fallback after retry", async () => {
      const { ctx } = await runAndReplay(taskFallbackAfterRetry, undefined);
      expect(ctx.output).toBe(-21);
      const types = typesOf(ctx);
      expect(types.filter((t) => t === "TASK_RETRY_FAILED")).toHaveLength(2);
      expect(types.indexOf("TASK_FALLBACK_STARTED")).toBeGreaterThan(types.lastIndexOf("TASK_RETRY_FAILED"));
    });

    test("task fallback after timeout", async () => {
      const { ctx } = await runAndReplay(taskFallbackAfterTimeout, undefined);
      expect(ctx.output).toBe("fallback after timeout");
      expect(typesOf(ctx)).toContain("TASK_FALLBACK_COMPLETED");
    });

    test("task rollback runs before the failure propagates", async () => {
      undone.length = 0;
      const { ctx } = await runAndReplay(taskRollback, undefined);
      expect(ctx.failed).toBe(true);
      expect(undone).toEqual(["12A"]);
      expect(typesOf(ctx)).toEqual(["WORKFLOW_STARTED", "TASK_STARTED", "TASK_ROLLBACK_STARTED", "TASK_ROLLBACK_COMPLETED", "TASK_FAILED", "WORKFLOW_FAILED"]);
      expect(((ctx.output as ExecutionError).cause as Error).message).toBe("payment for seat 12A declined");
    });

    test("task timeout fails the workflow with ExecutionTimeoutError", async () => {
      const { ctx } = await runAndReplay(taskTimeout, undefined);
      expect(ctx.failed).toBe(true);
      expect(ctx.output).toBeInstanceOf(ExecutionTimeoutError);
      expect((ctx.output as ExecutionTimeoutError).message).toContain('task "long_task" (step 1) timed out after 50 ms');
    });

    test("task cache: a second execution reuses the result", async () => {
      const e = await engine();
      computations.count = 0;
      const first = await taskCache.run(100, { engine: e });
      const second = await taskCache.run(100, { engine: e });
      expect(first.output).toBe(5050);
      expect(second.output).toBe(5050);
      expect(second.executionId).not.toBe(first.executionId);
      expect(computations.count).toBe(1);
      await taskCache.run(10, { engine: e });
      expect(computations.count).toBe(2);
    });

    test("task map", async () => {
      const { ctx } = await runAndReplay(taskMap, ["one two", "three", "four five six"]);
      expect(ctx.output).toBe(6);
      expect(ctx.events.filter((e) => e.type === "TASK_STARTED").map((e) => e.sourceId)).toEqual(["1", "2", "3"]);
    });

    test("using secrets: resolved, never recorded", async () => {
      const { ctx, engine: e } = await runAndReplay(usingSecrets, undefined);
      expect(ctx.output).toBe("the secret has 12 characters");
      const raw = JSON.stringify(await e.store.load(ctx.executionId));
      expect(raw).not.toContain("s3cr3t-value");
    });

    test("a retry exhausted without fallback fails with RetryError", async () => {
      const { taskRetries: _unused } = await import("../examples/task_retries.js");
      const { task, workflow } = await import("flux-ts");
      const hopeless = task({ name: "hopeless", retry: { maxAttempts: 1 } }, async (): Promise<void> => {
        throw new Error("no");
      });
      const wf = workflow("hopeless_workflow", async (ctx) => ctx.run(hopeless));
      const ctx = await wf.run(undefined, { engine: await engine() });
      expect(ctx.output).toBeInstanceOf(RetryError);
      expect((ctx.output as RetryError).attempts).toBe(2);
      expect(((ctx.output as RetryError).cause as Error).message).toBe("no");
    });

    testEventExamples(createStore);
  });
}
